#!/usr/bin/env bash
# Runs every test. Installs what the tests need first (mosquitto, socat, ffmpeg), so a fresh
# machine needs nothing else. Ends with a line "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")"

need=()
command -v mosquitto >/dev/null 2>&1 || [ -x /usr/sbin/mosquitto ] || need+=(mosquitto)
command -v socat >/dev/null 2>&1 || need+=(socat)
command -v ffmpeg >/dev/null 2>&1 || need+=(ffmpeg)
if ((${#need[@]})); then
  echo "test.sh: installing ${need[*]}"
  sudo_cmd=""; [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "${need[@]}" >/dev/null \
    || { echo "test.sh: could not install ${need[*]}"; exit 1; }
fi

log=$(mktemp)
dotnet test EdgeGateway.sln "$@" 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}

passed=$(grep -Eo 'Passed: +[0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
failed=$(grep -Eo 'Failed: +[0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
rm -f "$log"
if [ "$rc" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi   # a build or runner failure counts
echo "$passed passed, $failed failed"
[ "$rc" -eq 0 ] && [ "$passed" -gt 0 ]
