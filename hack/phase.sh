#!/usr/bin/env bash
# Runs one phase of `make test`, records how long it took, and prints a summary
# at the end so the CI time budget stays visible.
set -euo pipefail
log="${PHASE_LOG:-${TMPDIR:-/tmp}/scimbridge-test-phases.$(id -u)}"

case "${1:-}" in
reset)
  : >"${log}"
  ;;
run)
  name="$2"
  shift 2
  echo "==> ${name}"
  start=$(date +%s)
  status=0
  "$@" || status=$?
  took=$(($(date +%s) - start))
  printf '%s\t%s\t%s\n' "${name}" "${took}" "$([[ ${status} -eq 0 ]] && echo ok || echo FAILED)" >>"${log}"
  echo "==> ${name}: ${took}s"
  if [[ ${status} -ne 0 ]]; then
    echo "--- phases so far ---"
    awk -F'\t' '{printf "%-20s %5ss  %s\n", $1, $2, $3}' "${log}"
    exit "${status}"
  fi
  ;;
summary)
  echo "--- test phases ---"
  awk -F'\t' '{printf "%-20s %5ss  %s\n", $1, $2, $3; s += $2} END {printf "%-20s %5ss\n", "total", s}' "${log}"
  ;;
*)
  echo "usage: $0 reset|run NAME CMD...|summary" >&2
  exit 2
  ;;
esac
