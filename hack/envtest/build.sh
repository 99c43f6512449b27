#!/usr/bin/env bash
# Builds kube-apiserver and etcd for envtest (and, when asked, kubectl for the
# local demo) from the Go module proxy and installs them into
# bin/k8s/<version>-<os>-<arch>/. Binary downloads (setup-envtest) do not work
# without internet access; building from source does, and is cached.
#
# usage: build.sh [component...]   (default: etcd kube-apiserver)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "${here}/../.." && pwd)"

K8S_VERSION="${K8S_VERSION:-1.37.2}"
GOOS="$(go env GOOS)"
GOARCH="$(go env GOARCH)"
dest="${ENVTEST_DIR:-${root}/bin/k8s/${K8S_VERSION}-${GOOS}-${GOARCH}}"

components=("$@")
[[ ${#components[@]} -gt 0 ]] || components=(etcd kube-apiserver)
mkdir -p "${dest}"

# Without these stamps the server reports v0.0.0-master+$Format:%H$, which
# confuses clients that parse the server version.
IFS=. read -r major minor _ <<<"${K8S_VERSION}"
pkg=k8s.io/component-base/version
ldflags="-s -w \
 -X ${pkg}.gitVersion=v${K8S_VERSION} \
 -X ${pkg}.gitMajor=${major} \
 -X ${pkg}.gitMinor=${minor} \
 -X ${pkg}.gitTreeState=clean \
 -X ${pkg}.buildDate=1970-01-01T00:00:00Z"

build() { # name, module dir, ldflags
  local name="$1" dir="$2" flags="$3" start=${SECONDS}
  echo "building ${name} (first build takes minutes; later builds use the Go cache)" >&2
  (cd "${dir}" && CGO_ENABLED=0 go build -trimpath -ldflags "${flags}" -o "${dest}/${name}.tmp" .)
  mv "${dest}/${name}.tmp" "${dest}/${name}"
  echo "built ${name} in $((SECONDS - start))s" >&2
}

for c in "${components[@]}"; do
  [[ -x "${dest}/${c}" ]] && continue
  case "${c}" in
  etcd) build etcd "${here}/etcd" "-s -w" ;;
  kube-apiserver | kubectl) build "${c}" "${here}/${c}" "${ldflags}" ;;
  *) echo "unknown component ${c}" >&2; exit 2 ;;
  esac
done
echo "${dest}"
