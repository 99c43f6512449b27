#!/usr/bin/env bash
# Fails when `make manifests generate` changed files, i.e. the committed
# generated files (CRDs, RBAC, deepcopy, apply configurations, and their
# copies in the Helm chart and the PrometheusRule) are stale.
# Outside CI it only warns, so work in progress can still be tested.
set -euo pipefail
paths=(config/crd config/rbac config/prometheus api dist/chart)
changes="$(git status --porcelain -- "${paths[@]}")"
if [[ -z "${changes}" ]]; then
  echo "generated files are up to date"
  exit 0
fi
echo "generated files differ from the committed ones:"
echo "${changes}"
if [[ "${CI:-}" == "true" ]]; then
  git --no-pager diff --stat -- "${paths[@]}"
  echo "run 'make manifests generate' and commit the result" >&2
  exit 1
fi
echo "(warning only outside CI: commit them before you submit)"
