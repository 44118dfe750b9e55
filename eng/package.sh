#!/usr/bin/env bash
# Builds the installable Debian packages: one .deb per program (edgegateway, fleetcontrol) per architecture,
# each self-contained (no .NET on the target): the gateway a NativeAOT executable (one native binary, no JIT; see
# src/EdgeGateway/EdgeGateway.csproj), FleetControl a ReadyToRun publish; with its systemd unit, sysusers account,
# /etc defaults (conffiles) and udev example; then checks every package (see check_package).
# --gateway-aot false (or GATEWAY_AOT=false) packages the gateway as before NativeAOT: trimmed ReadyToRun IL.
# NativeAOT links with the target's C toolchain: the default (auto) builds it for this machine's architecture and
# falls back to ReadyToRun, saying so, for another one (linux-arm64 on x64) unless --gateway-aot true (a cross
# toolchain installed) or the package is built on that architecture.
# The gateway is installed in the A/B layout of over-the-air updates: /opt/edgegateway/releases/A (with its
# manifest.json), the current -> releases/A link, and (postinst) update-state.json, so both
# edgegateway.service and edgegateway-supervised.service (supervise: OTA with rollback) start straight away.
#
#   eng/package.sh [--rid linux-x64] [--rid linux-arm64] [--program edgegateway|fleetcontrol] [--out artifacts/packages] [--version 0.1.0] [--gateway-aot auto|true|false]
#
# Default: both architectures, both programs. Install on the target with
#   sudo apt install ./edgegateway_VERSION_arm64.deb && sudoedit /etc/edgegateway/appsettings.json && sudo systemctl enable --now edgegateway
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
rids=(); only=""; out="$root/artifacts/packages"; gateway_aot=${GATEWAY_AOT:-auto}; version=$(sed -n 's:.*<Version>\(.*\)</Version>.*:\1:p' Directory.Build.props | head -1)
while (($#)); do
  case "$1" in
    --rid) rids+=("$2"); shift 2 ;;
    --out) out=$(realpath -m "$2"); shift 2 ;;
    --program) only="$2"; shift 2 ;;
    --version) version="$2"; shift 2 ;;
    --gateway-aot) gateway_aot="$2"; shift 2 ;;
    -h|--help) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "package.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done
((${#rids[@]})) || rids=(linux-x64 linux-arm64)
case "$only" in ""|edgegateway|fleetcontrol) ;; *) echo "package.sh: unknown --program '$only' (edgegateway or fleetcontrol)" >&2; exit 2 ;; esac
case "$gateway_aot" in auto|true|false) ;; *) echo "package.sh: --gateway-aot is auto, true or false, not '$gateway_aot'" >&2; exit 2 ;; esac
command -v dpkg-deb >/dev/null || { echo "package.sh: dpkg-deb is needed (apt-get install dpkg)" >&2; exit 1; }
mkdir -p "$out"

# name project binary unit sysusers description
programs=(
  "edgegateway|src/EdgeGateway|EdgeGateway|deploy/systemd/edgegateway.service|deploy/systemd/edgegateway.sysusers|EdgeGateway: headless gateway for patrol vehicles and body-worn-video docks"
  "fleetcontrol|src/FleetControl|FleetControl|deploy/systemd/fleetcontrol.service|deploy/systemd/fleetcontrol.sysusers|FleetControl: fleet back end (MQTT ingest, evidence vault, REST API, web console)"
)

# Where a program's binary is installed: the gateway's through the A/B layout's current link.
program_dir() { [ "$1" = edgegateway ] && echo "opt/$1/current" || echo "opt/$1"; }

check_package() { # deb name binary arch
  local deb=$1 name=$2 binary=$3 arch=$4 x dir units unit
  dir=$(program_dir "$name"); units=("$name.service")
  dpkg-deb --info "$deb" >/dev/null
  x=$(mktemp -d); trap 'rm -rf "$x"' RETURN
  dpkg-deb -x "$deb" "$x"; dpkg-deb -e "$deb" "$x/DEBIAN"
  for f in "$dir/$binary" "lib/systemd/system/$name.service" "usr/lib/sysusers.d/$name.conf" "etc/$name/appsettings.json"; do
    [ -e "$x/$f" ] || { echo "package.sh: $deb lacks /$f" >&2; return 1; }
  done
  if [ "$name" = edgegateway ]; then
    units+=("$name-supervised.service")
    [ "$(readlink "$x/opt/$name/current")" = releases/A ] || { echo "package.sh: /opt/$name/current is not a link to releases/A" >&2; return 1; }
    grep -q "\"version\": *\"$version\"" "$x/opt/$name/releases/A/manifest.json" && grep -q "\"entry\": *\"$binary\"" "$x/opt/$name/releases/A/manifest.json" \
      || { echo "package.sh: /opt/$name/releases/A/manifest.json does not name $version and $binary" >&2; return 1; }
    grep -q "^ExecStart=/$dir/$binary supervise --root /opt/$name" "$x/lib/systemd/system/$name-supervised.service" || { echo "package.sh: the supervised unit does not supervise /opt/$name" >&2; return 1; }
    grep -q "update-state.json" "$x/DEBIAN/postinst" || { echo "package.sh: postinst does not seed update-state.json" >&2; return 1; }
  fi
  grep -qx "/etc/$name/appsettings.json" "$x/DEBIAN/conffiles" || { echo "package.sh: /etc/$name/appsettings.json is not a conffile" >&2; return 1; }
  grep -q "^ExecStart=/$dir/$binary" "$x/lib/systemd/system/$name.service" || { echo "package.sh: the unit does not start /$dir/$binary" >&2; return 1; }
  [ -x "$x/$dir/$binary" ] || { echo "package.sh: /$dir/$binary is not executable" >&2; return 1; }
  if command -v systemd-analyze >/dev/null; then
    for unit in "${units[@]}"; do
      systemd-analyze verify --root="$x" "$x/lib/systemd/system/$unit" 2>&1 | grep -v "Cannot add dependency\|No such file\|ignoring\|sysinit.target" >&2 || true
    done
  fi
  # Runs from the package alone: no SDK, no DOTNET_ROOT, a bare PATH (native builds only).
  if [ "$arch" = "$(dpkg --print-architecture)" ]; then
    env -i PATH=/usr/bin:/bin HOME="$x" "$x/$dir/$binary" --version >/dev/null \
      || { echo "package.sh: /$dir/$binary --version failed outside the SDK" >&2; return 1; }
  fi
}

# The gateway's postinst lines for the A/B layout. First install (no update-state.json): slot A, this version,
# committed. An upgrade while slot A is current (nothing pending) moves the state to this version. An upgrade while
# an over-the-air release in slot B is current keeps it current (dpkg has just reset the link to releases/A, so
# it is pointed back): the package manager never downgrades a gateway that updated itself.
postinst_layout() { # name: the lines, with the root, the account and this package's version filled in
  sed -e "s|@ROOT@|/opt/$1|g" -e "s|@USER@|$1|g" -e "s|@VERSION@|$version|g" <<'LAYOUT'
  state=@ROOT@/update-state.json
  if [ ! -f "$state" ] || { grep -q '^  "slot": *"A"' "$state" && ! grep -q '"pending": *{' "$state"; }; then
    printf '{\n  "version": "%s",\n  "slot": "A"\n}\n' "@VERSION@" > "$state.new" && mv -f "$state.new" "$state"
  else
    slot=$(sed -n 's/^  "slot": *"\([AB]\)".*/\1/p' "$state" | head -1)
    if [ -n "$slot" ]; then ln -sfn "releases/$slot" @ROOT@/current.new && mv -Tf @ROOT@/current.new @ROOT@/current; fi
  fi
  # The supervisor and install-update (run as the service's account) write releases/, current and the state.
  if getent passwd @USER@ >/dev/null; then chown -R @USER@:@USER@ @ROOT@; fi
LAYOUT
}

for rid in "${rids[@]}"; do
  case "$rid" in linux-x64) arch=amd64 ;; linux-arm64) arch=arm64 ;; *) echo "package.sh: unsupported --rid $rid" >&2; exit 2 ;; esac
  for entry in "${programs[@]}"; do
    IFS='|' read -r name project binary unit sysusers description <<<"$entry"
    [ -z "$only" ] || [ "$only" = "$name" ] || continue
    stage="$out/stage/$name-$arch"; rm -rf "$stage"; mkdir -p "$stage/DEBIAN"
    # The gateway: NativeAOT (unless --gateway-aot false); FleetControl (a server, where start-up JIT costs nothing
    # that matters and the resident set is not the constraint): ReadyToRun.
    build=(-p:PublishReadyToRun=true); kind="ReadyToRun"
    if [ "$name" = edgegateway ]; then
      if [ "$gateway_aot" = true ] || { [ "$gateway_aot" = auto ] && [ "$arch" = "$(dpkg --print-architecture)" ]; }; then
        build=(-p:PublishAot=true); kind="NativeAOT"
      elif [ "$gateway_aot" = auto ]; then
        kind="ReadyToRun, trimmed: NativeAOT for $arch needs its toolchain here (--gateway-aot true with one, or build on $arch)"
      else
        kind="ReadyToRun, trimmed"
      fi
    fi
    echo "== $name $version $arch: publish ($rid, self-contained, $kind)"
    dir=$(program_dir "$name"); publish="$stage/$dir"
    [ "$name" = edgegateway ] && publish="$stage/opt/$name/releases/A"
    started=$SECONDS
    dotnet publish "$project" -c Release -r "$rid" --self-contained true "${build[@]}" \
      -p:DebugType=none -p:GenerateDocumentationFile=false -o "$publish" --nologo -v quiet
    echo "   published in $((SECONDS - started)) s"
    rm -f "$publish"/*.dbg
    # Shipped defaults stay beside the binary; the site file in /etc starts empty and is the installer's to edit.
    install -D -m 0644 "$unit" "$stage/lib/systemd/system/$name.service"
    sed -i -e "s|^ExecStart=/usr/bin/dotnet /opt/$name/$binary.dll|ExecStart=/$dir/$binary|" -e "s|^ExecStart=/opt/$name/$binary|ExecStart=/$dir/$binary|" \
      "$stage/lib/systemd/system/$name.service"
    if [ "$name" = edgegateway ]; then
      # The A/B layout the supervisor and install-update expect (src/EdgeGateway/Updates/InstallLayout.cs): this
      # release is slot A; an over-the-air update goes into releases/B and switches current.
      printf '{\n  "version": "%s",\n  "entry": "%s"\n}\n' "$version" "$binary" > "$publish/manifest.json"
      ln -s releases/A "$stage/opt/$name/current"
      install -D -m 0644 deploy/systemd/$name-supervised.service "$stage/lib/systemd/system/$name-supervised.service"
    fi
    install -D -m 0644 "$sysusers" "$stage/usr/lib/sysusers.d/$name.conf"
    install -d -m 0755 "$stage/etc/$name"
    printf '{\n  "//": "This machine'"'"'s settings for %s, above the shipped defaults in /opt/%s. See /usr/share/doc/%s/README.md."\n}\n' \
      "$binary" "$name" "$name" > "$stage/etc/$name/appsettings.json"
    install -D -m 0644 README.md "$stage/usr/share/doc/$name/README.md"
    install -D -m 0644 LICENSE "$stage/usr/share/doc/$name/copyright"
    [ "$name" = edgegateway ] && install -D -m 0644 deploy/udev/70-edgegateway.rules "$stage/usr/share/doc/$name/examples/70-edgegateway.rules"
    echo "/etc/$name/appsettings.json" > "$stage/DEBIAN/conffiles"
    size=$(du -sk --exclude=DEBIAN "$stage" | cut -f1)
    cat > "$stage/DEBIAN/control" <<CONTROL
Package: $name
Version: $version
Architecture: $arch
Maintainer: EdgeGateway maintainers <edgegateway@localhost>
Installed-Size: $size
Depends: libc6, libstdc++6, libssl3 | libssl3t64, zlib1g
Recommends: systemd
Section: net
Priority: optional
Description: $description
 Self-contained .NET build (no runtime needed), systemd unit with a dedicated
 account, /etc/$name for this machine's settings.
CONTROL
    cat > "$stage/DEBIAN/postinst" <<POSTINST
#!/bin/sh
set -e
if [ "\$1" = configure ]; then
  command -v systemd-sysusers >/dev/null && systemd-sysusers /usr/lib/sysusers.d/$name.conf || true
$( [ "$name" = edgegateway ] && postinst_layout "$name" )
  if [ -d /run/systemd/system ]; then systemctl daemon-reload || true; fi
fi
exit 0
POSTINST
    cat > "$stage/DEBIAN/prerm" <<PRERM
#!/bin/sh
set -e
if [ -d /run/systemd/system ] && [ "\$1" = remove ]; then systemctl stop $name.service || true; fi
exit 0
PRERM
    chmod 0755 "$stage/DEBIAN/postinst" "$stage/DEBIAN/prerm"
    deb="$out/${name}_${version}_${arch}.deb"
    dpkg-deb --root-owner-group -Zxz --build "$stage" "$deb" >/dev/null
    check_package "$deb" "$name" "$binary" "$arch"
    echo "   $deb ($(du -h "$deb" | cut -f1), installed $(du -sh --exclude=DEBIAN "$stage" | cut -f1))"
  done
done
