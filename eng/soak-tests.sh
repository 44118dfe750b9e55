#!/usr/bin/env bash
# Runs the whole test suite N times in a row (default 10) while K busy loops (default 2, one per core of
# the CI machine) compete for the CPU, and reports each run's totals and the tests that failed. Flaky
# tests show up here long before they show up in CI. Usage: eng/soak-tests.sh [N] [K]
set -uo pipefail
cd "$(dirname "$0")/.."
runs=${1:-10}
burners=${2:-2}
log_dir=$(mktemp -d -t soak-XXXXXX)
pids=()
for ((i = 0; i < burners; i++)); do
  ( while :; do :; done ) &
  pids+=($!)
done
trap 'kill "${pids[@]}" 2>/dev/null' EXIT

dotnet build EdgeGateway.sln -c Debug -nologo -v q >/dev/null || { echo "soak: build failed"; exit 1; }
failed_runs=0
for ((run = 1; run <= runs; run++)); do
  started=$(date +%s)
  ./test.sh >"$log_dir/run-$run.log" 2>&1
  totals=$(tail -n 1 "$log_dir/run-$run.log")
  seconds=$(($(date +%s) - started))
  echo "run $run: $totals (${seconds}s)"
  if ! grep -qE '^[0-9]+ passed, 0 failed$' <<<"$totals"; then
    failed_runs=$((failed_runs + 1))
    grep -E '^\s+Failed [A-Za-z]' "$log_dir/run-$run.log" | sed 's/^/    /' | sort -u
  fi
done
echo "soak: $failed_runs of $runs runs failed under $burners busy loop(s); logs in $log_dir"
[ "$failed_runs" -eq 0 ]
