#!/usr/bin/env bash
# The offline test of the image build: the pinned distroless base cannot be
# pulled here, so kobase puts an empty linux/amd64+arm64 base into a fresh ko
# cache and KO_DEFAULTBASEIMAGE points ko at it by digest; everything else is
# the real `make ko-build` (.ko.yaml, hack/ko-build.sh). imagetest then checks
# the layout: both platforms, a numeric non-root user, the /ko-app/cmd
# entrypoint, the version label and the version stamped into each binary.
set -euo pipefail
: "${KO:?path of ko}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# ko names the layout's image after its path, which must be lowercase.
work="${TMPDIR:-/tmp}/scimbridge-image-test.$$"
rm -rf "${work}" && mkdir -p "${work}"
trap 'rm -rf "${work}"' EXIT

version="v0.0.0-image-test.$$"
export KOCACHE="${work}/cache"
KO_DEFAULTBASEIMAGE="$(go run -C "${root}/hack/tools/ko" ./kobase)"
export KO_DEFAULTBASEIMAGE
KO="${KO}" VERSION="${version}" OUT="${work}/image" "${root}/hack/ko-build.sh"
IMAGE_LAYOUT="${work}/image" IMAGE_VERSION="${version}" go test -C "${root}/hack/tools/ko" -count=1 -v ./imagetest/
