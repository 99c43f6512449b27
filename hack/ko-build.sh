#!/usr/bin/env bash
# Builds the manager image with ko (.ko.yaml) for linux/amd64 and linux/arm64,
# with neither a Docker daemon nor a registry: into an OCI image layout
# (OUT, default dist/image) and a tar of that layout (OUT.tar), which
# `crane push`, `skopeo copy oci-archive:...` or `docker load` accept.
# The binary sits at /ko-app/cmd (the entrypoint), the user is 65532
# (nonroot) whatever the base says, and VERSION is both stamped into the
# binary and set as the image's version label.
set -euo pipefail
: "${KO:?path of ko}" "${VERSION:?version to stamp}"
cd "$(dirname "${BASH_SOURCE[0]}")/.."
out="${OUT:-dist/image}"
rm -rf "${out}" "${out}.tar"
mkdir -p "$(dirname "${out}")"

# Only names the image: --push=false publishes to the layout alone.
export KO_DOCKER_REPO="${KO_DOCKER_REPO:-ghcr.io/scimbridge/scimbridge}"
export VERSION
"${KO}" build ./cmd --bare --push=false --oci-layout-path="${out}" --sbom=none \
  --image-user=65532:65532 \
  --image-label="org.opencontainers.image.version=${VERSION}" \
  --image-label=org.opencontainers.image.title=scimbridge \
  --image-label=org.opencontainers.image.source=https://github.com/scimbridge/scimbridge
tar -C "${out}" -cf "${out}.tar" .
echo "image layout ${out}, archive ${out}.tar"
