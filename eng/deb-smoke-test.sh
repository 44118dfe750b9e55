#!/usr/bin/env bash
# Installs the x64 gateway package and starts the gateway from it, as an installer would, with no SDK anywhere
# near it. test.sh runs it (one test in its "N passed, N failed" total), so CI does this on every run.
#   1. eng/package.sh --rid linux-x64 --program edgegateway (the NativeAOT publish, the cost of this test; GATEWAY_AOT=false
#      builds the trimmed ReadyToRun package instead), and checks the package holds the kind asked for
#   2. dpkg -i (as root, or through sudo): /opt/edgegateway/releases/A, current, the units, the edgegateway account
#   3. the installed binary with no SDK: a bare environment (env -i PATH=/usr/bin:/bin, no DOTNET_ROOT) in a
#      private mount namespace (unshare) where the machine's .NET folders are hidden: --version, --help
#   4. the unit's ExecStart= and Environment= lines, read from the installed edgegateway.service, run as its
#      User= in its WorkingDirectory= (systemd is not PID 1 in CI), plus a device id, a fresh data directory,
#      no FleetControl (link offline) and a watchdog stand-in: NOTIFY_SOCKET and WATCHDOG_USEC from WatchdogSec=,
#      a socat datagram listener that must receive WATCHDOG=1. Passes when, within 90 s, the installed
#      `EdgeGateway health` reads a fresh report (exit 0, or 4: link down) and the process is still up.
#   5. stops it (SIGTERM, as systemctl stop) and purges the package.
# Where the package cannot be installed (no root, no sudo, no dpkg) it fails; it never skips.
#
#   eng/deb-smoke-test.sh [--deb FILE]     (--deb: install this package instead of building one)
set -uo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
deb=""
while (($#)); do
  case "$1" in
    --deb) deb=$(realpath "$2"); shift 2 ;;
    -h|--help) sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "deb-smoke-test: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done

fail() { echo "deb-smoke-test: FAILED: $*" >&2; exit 1; }
step() { echo "deb-smoke-test: $*"; }

sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then
  sudo -n true 2>/dev/null || fail "installing a package needs root or passwordless sudo"
  sudo_cmd=(sudo -n)
fi
as_root() { "${sudo_cmd[@]}" "$@"; }
command -v dpkg >/dev/null || fail "dpkg is needed"
command -v socat >/dev/null || fail "socat is needed (eng/install-prerequisites.sh)"
[ "$(dpkg --print-architecture)" = amd64 ] || fail "this machine is $(dpkg --print-architecture); the smoke test installs the amd64 package"

work=$(mktemp -d /tmp/deb-smoke.XXXXXX)
chmod 0755 "$work"
pid=""; socat_pid=""; installed=""; touched=""
alive() { ps -p "$1" >/dev/null 2>&1; }
stop() { # SIGNAL: the gateway (and, through sudo, its child) by process id
  local child; child=$(pgrep -P "$pid" 2>/dev/null)
  as_root kill "-$1" "$pid" $child 2>/dev/null
}
cleanup() {
  [ -n "$pid" ] && stop KILL
  [ -n "$socat_pid" ] && kill "$socat_pid" 2>/dev/null
  [ -n "$installed" ] && as_root dpkg --purge edgegateway >/dev/null 2>&1
  # The postinst's update-state.json is not a packaged file, so a purge leaves it: remove it, so the next run starts clean.
  [ -n "$touched" ] && { as_root rm -f /opt/edgegateway/update-state.json; as_root rmdir /opt/edgegateway 2>/dev/null; }
  as_root rm -rf "$work"
}
trap cleanup EXIT

# 1. Build the package (or take the one given).
if [ -z "$deb" ]; then
  step "building the linux-x64 edgegateway package"
  eng/package.sh --rid linux-x64 --program edgegateway --out "$work/packages" >"$work/package.log" 2>&1 \
    || { grep -v NU1603 "$work/package.log" >&2; fail "eng/package.sh failed"; }
  deb=$(ls "$work"/packages/edgegateway_*_amd64.deb 2>/dev/null | head -1)
  [ -n "$deb" ] || fail "eng/package.sh built no edgegateway_*_amd64.deb"
fi

# The kind of gateway the package holds: NativeAOT is one native executable with no runtime beside it.
if [ "${GATEWAY_AOT:-auto}" != false ]; then
  dpkg-deb -c "$deb" | grep -qE '/opt/edgegateway/releases/A/(libcoreclr.so|EdgeGateway.dll)$' \
    && fail "$(basename "$deb") ships libcoreclr.so or EdgeGateway.dll: not the NativeAOT gateway (GATEWAY_AOT=false builds that one)"
  step "$(basename "$deb") holds the NativeAOT gateway (no libcoreclr.so, no EdgeGateway.dll)"
fi

# 2. Install it.
if dpkg-query -W -f='${Status}' edgegateway 2>/dev/null | grep -q installed; then
  fail "edgegateway is already installed on this machine; remove it first (sudo dpkg --purge edgegateway)"
fi
step "installing $(basename "$deb")"
installed=yes; touched=yes
as_root dpkg -i "$deb" >"$work/dpkg.log" 2>&1 || { cat "$work/dpkg.log" >&2; fail "dpkg -i failed"; }
unit=/lib/systemd/system/edgegateway.service
[ -f "$unit" ] || fail "the package did not install $unit"
[ "$(readlink /opt/edgegateway/current)" = releases/A ] || fail "/opt/edgegateway/current is not a link to releases/A"
[ -f /opt/edgegateway/update-state.json ] || fail "postinst did not write /opt/edgegateway/update-state.json"
user=$(sed -n 's/^User=//p' "$unit" | tail -1)
group=$(sed -n 's/^Group=//p' "$unit" | tail -1)
[ -n "$user" ] && getent passwd "$user" >/dev/null || fail "the unit's account '$user' does not exist after install"

# The unit's command line and environment, as systemd would run them.
exec_start=$(sed -n 's/^ExecStart=//p' "$unit" | tail -1)
read -r -a command_line <<<"$exec_start"
binary=${command_line[0]}
[ -x "$binary" ] || fail "ExecStart names $binary, which is not an installed executable"
mapfile -t unit_env < <(sed -n 's/^Environment=//p' "$unit")
watchdog_sec=$(sed -n 's/^WatchdogSec=\([0-9]*\)s\{0,1\}$/\1/p' "$unit" | tail -1)
[ -n "$watchdog_sec" ] || fail "the unit has no WatchdogSec= in seconds"
# No SDK: a bare environment (env -i PATH=/usr/bin:/bin, no DOTNET_ROOT) in a private mount namespace where every
# .NET installation on this machine (the SDK's folder, behind /usr/bin/dotnet) is hidden under an empty folder.
sdk_dirs=()
for d in /usr/share/dotnet /usr/lib/dotnet /opt/dotnet "${DOTNET_ROOT:-}" "${HOME:-/root}/.dotnet" \
         "$(dirname "$(readlink -f "$(command -v dotnet 2>/dev/null || echo /nonexistent/dotnet)")")"; do
  [ -n "$d" ] && [ -d "$d" ] && [[ " ${sdk_dirs[*]} " != *" $d "* ]] && sdk_dirs+=("$d")
done
mkdir -p "$work/empty"
# Preferably a private mount namespace (needs CAP_SYS_ADMIN); where that is refused (an unprivileged container),
# a PATH of only the tools the steps use, none of them dotnet: still "no SDK on its PATH".
isolation=${DEB_SMOKE_ISOLATION:-namespace}
if [ "$isolation" = namespace ] && ! as_root unshare --mount --propagation private true 2>/dev/null; then
  isolation=path
fi
if [ "$isolation" = path ]; then
  mkdir -p "$work/bin"
  for tool in sh setpriv cat; do ln -sf "$(command -v "$tool")" "$work/bin/$tool"; done
  chmod 0755 "$work/bin"
fi
nosdk() { # COMMAND...: as root, no .NET on PATH (and, in a namespace, none anywhere), bare environment
  if [ "$isolation" = namespace ]; then
    as_root unshare --mount --propagation private sh -c \
      'e=$1; shift; while [ "$1" != -- ]; do mount --bind "$e" "$1" || exit 125; shift; done; shift; exec env -i PATH=/usr/bin:/bin "$@"' \
      nosdk "$work/empty" "${sdk_dirs[@]}" -- "$@"
  else
    as_root env -i PATH="$work/bin" "$@"
  fi
}
if [ "$isolation" = namespace ]; then
  nosdk sh -c '! command -v dotnet && [ ! -e /usr/share/dotnet/dotnet ]' >/dev/null \
    || fail "could not hide the SDK (${sdk_dirs[*]}) from the installed gateway"
else
  nosdk sh -c '! command -v dotnet' >/dev/null || fail "dotnet is still on the bare PATH $work/bin"
fi
step "no SDK for the gateway ($isolation): hidden ${sdk_dirs[*]:-nothing}; PATH=$([ "$isolation" = namespace ] && echo /usr/bin:/bin || echo "$work/bin")"

# 3. Version and help, outside any SDK.
step "$binary --version / --help with a bare environment"
version=$(nosdk HOME="$work" "$binary" --version 2>&1) || fail "--version failed: $version"
expected=$(dpkg-deb -f "$deb" Version)
[[ "$version" == *"$expected"* ]] || fail "--version printed '$version', not the package's version $expected"
help=$(nosdk HOME="$work" "$binary" --help 2>&1) || fail "--help failed: $help"
grep -q "health" <<<"$help" || fail "--help does not list the health verb: $help"

# 4. Start it as the unit would: its account, its working directory, its environment, its command line.
data="$work/data"
as_root install -d -m 0700 -o "$user" -g "${group:-$user}" "$data"
notify="$work/notify.sock"
socat -u UNIX-RECV:"$notify" OPEN:"$work/notify.log",creat,append &
socat_pid=$!
for _ in $(seq 50); do [ -S "$notify" ] && break; sleep 0.1; done
[ -S "$notify" ] || fail "the watchdog stand-in (socat on $notify) did not start"
as_root chmod 0666 "$notify"
chmod 0755 "$work"
step "starting: ${command_line[*]} (as $user, ${unit_env[*]})"
nosdk HOME="$data" "${unit_env[@]}" NOTIFY_SOCKET="$notify" WATCHDOG_USEC=$((watchdog_sec * 1000000)) \
  setpriv --reuid="$user" --regid="${group:-$user}" --init-groups --no-new-privs \
  sh -c 'cd "$1" && shift && exec "$@"' smoke "$data" \
  "${command_line[@]}" --Gateway:DeviceId=deb-smoke-01 --Gateway:DataDirectory="$data" \
  --Security:DevelopmentPlaintext=true --Gateway:FleetControlUrl=http://127.0.0.1:9 --Mqtt:Port=9 \
  >"$work/gateway.log" 2>&1 &
pid=$!

healthy=""
for _ in $(seq 90); do
  alive "$pid" || { wait "$pid"; rc=$?; pid=""; tail -n 40 "$work/gateway.log" >&2; fail "the gateway exited (code $rc) instead of staying up"; }
  if nosdk HOME="$data" "${unit_env[@]}" "$binary" health --data "$data" >"$work/health.txt" 2>&1; then
    healthy=0; break
  else
    rc=$?; [ "$rc" -eq 4 ] && { healthy=4; break; }
  fi
  sleep 1
done
[ -n "$healthy" ] || { tail -n 40 "$work/gateway.log" >&2; cat "$work/health.txt" >&2; fail "no fresh health report within 90 s"; }
step "health exit $healthy (0 healthy, 4 link down: no FleetControl here):"
sed 's/^/  /' "$work/health.txt"
for _ in $(seq 30); do grep -q "WATCHDOG=1" "$work/notify.log" 2>/dev/null && break; sleep 1; done
grep -q "WATCHDOG=1" "$work/notify.log" 2>/dev/null || { tail -n 40 "$work/gateway.log" >&2; fail "the watchdog stand-in never received WATCHDOG=1"; }
alive "$pid" || fail "the gateway exited after writing its health"
[ "$(as_root stat -c %U "$data/health.json")" = "$user" ] || fail "health.json is not written by the unit's account $user"

# 5. Stop it as systemctl stop would, then purge.
step "stopping (SIGTERM) and purging"
stop TERM
for _ in $(seq 30); do alive "$pid" || break; sleep 1; done
alive "$pid" && fail "the gateway did not stop within 30 s of SIGTERM (the unit's TimeoutStopSec)"
wait "$pid"; rc=$?; pid=""
# Clean for systemd: exit 0, or ended by the SIGTERM itself (143; SuccessExitStatus= counts SIGTERM as success).
[ "$rc" -eq 0 ] || [ "$rc" -eq 143 ] || { tail -n 20 "$work/gateway.log" >&2; fail "the gateway exited with code $rc on SIGTERM (systemd would count it as a failure)"; }
as_root dpkg --purge edgegateway >"$work/dpkg.log" 2>&1 || { cat "$work/dpkg.log" >&2; fail "dpkg --purge failed"; }
installed=""
[ ! -e /opt/edgegateway/current ] || fail "/opt/edgegateway/current is still there after purge"
step "passed"
