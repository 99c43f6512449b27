#!/usr/bin/env bash
# Fails when `go mod tidy` would change go.mod or go.sum, i.e. a requirement
# is missing, unused or marked indirect although the module imports it. The
# committed files are restored whatever happens, so the check never edits the
# tree. Usage: verify-tidy.sh [module dir...] (default: the main module).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dirs=("$@")
[[ ${#dirs[@]} -gt 0 ]] || dirs=(.)
backup="$(mktemp -d)"
trap 'rm -rf "${backup}"' EXIT

status=0
for d in "${dirs[@]}"; do
  dir="${root}/${d}"
  cp "${dir}/go.mod" "${dir}/go.sum" "${backup}/"
  if ! (cd "${dir}" && go mod tidy); then
    status=1
  elif ! diff -u "${backup}/go.mod" "${dir}/go.mod" || ! diff -u "${backup}/go.sum" "${dir}/go.sum"; then
    echo "${d}: go mod tidy changes go.mod or go.sum; run it and commit the result" >&2
    status=1
  else
    echo "${d}: go.mod and go.sum are tidy"
  fi
  cp "${backup}/go.mod" "${backup}/go.sum" "${dir}/"
done
exit "${status}"
