#!/usr/bin/env bash
# Installs the Debian packages the local system and the tests drive for real:
#   mosquitto (broker interoperability tests), socat (pseudo-terminals), ffmpeg (real MP4 recordings),
#   chromium (the web console's browser tests; Playwright drives this system browser, nothing is downloaded),
#   postgresql (FleetControl's shared store; the tests start a private cluster from its binaries, no service),
#   gcc and zlib1g-dev (NativeAOT links the packaged gateway with them: eng/package.sh, eng/deb-smoke-test.sh).
# Idempotent and quiet when everything is present. Needs root or sudo to install.
set -uo pipefail
need=()
[ -x /usr/sbin/mosquitto ] || command -v mosquitto >/dev/null 2>&1 || need+=(mosquitto)
command -v socat >/dev/null 2>&1 || need+=(socat)
command -v ffmpeg >/dev/null 2>&1 || need+=(ffmpeg)
[ -x /usr/bin/chromium ] || need+=(chromium)
compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null || need+=(postgresql)
{ command -v gcc && [ -e /usr/include/zlib.h ]; } >/dev/null 2>&1 || need+=(gcc zlib1g-dev)
((${#need[@]})) || exit 0
echo "installing ${need[*]} (Debian packages)"
sudo_cmd=""; [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
$sudo_cmd apt-get update -qq \
  && DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null \
  || { echo "could not install ${need[*]}: install them with apt-get and run again" >&2; exit 1; }
