#!/usr/bin/env bash
# Builds the installable Debian packages: one .deb per program (edgegateway, fleetcontrol) per architecture,
# each a self-contained, ReadyToRun publish (no .NET on the target), with its systemd unit, sysusers
# account, /etc defaults (conffiles) and udev example; then checks every package (see check_package).
#
#   eng/package.sh [--rid linux-x64] [--rid linux-arm64] [--out artifacts/packages] [--version 0.1.0]
#
# Default: both architectures. Install on the target with
#   sudo apt install ./edgegateway_VERSION_arm64.deb && sudoedit /etc/edgegateway/appsettings.json && sudo systemctl enable --now edgegateway
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
rids=(); out="$root/artifacts/packages"; version=$(sed -n 's:.*<Version>\(.*\)</Version>.*:\1:p' Directory.Build.props | head -1)
while (($#)); do
  case "$1" in
    --rid) rids+=("$2"); shift 2 ;;
    --out) out=$(realpath -m "$2"); shift 2 ;;
    --version) version="$2"; shift 2 ;;
    -h|--help) sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "package.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done
((${#rids[@]})) || rids=(linux-x64 linux-arm64)
command -v dpkg-deb >/dev/null || { echo "package.sh: dpkg-deb is needed (apt-get install dpkg)" >&2; exit 1; }
mkdir -p "$out"

# name project binary unit sysusers description
programs=(
  "edgegateway|src/EdgeGateway|EdgeGateway|deploy/systemd/edgegateway.service|deploy/systemd/edgegateway.sysusers|EdgeGateway: headless gateway for patrol vehicles and body-worn-video docks"
  "fleetcontrol|src/FleetControl|FleetControl|deploy/systemd/fleetcontrol.service|deploy/systemd/fleetcontrol.sysusers|FleetControl: fleet back end (MQTT ingest, evidence vault, REST API, web console)"
)

check_package() { # deb name binary arch
  local deb=$1 name=$2 binary=$3 arch=$4 x
  dpkg-deb --info "$deb" >/dev/null
  x=$(mktemp -d); trap 'rm -rf "$x"' RETURN
  dpkg-deb -x "$deb" "$x"; dpkg-deb -e "$deb" "$x/DEBIAN"
  for f in "opt/$name/$binary" "lib/systemd/system/$name.service" "usr/lib/sysusers.d/$name.conf" "etc/$name/appsettings.json"; do
    [ -e "$x/$f" ] || { echo "package.sh: $deb lacks /$f" >&2; return 1; }
  done
  grep -qx "/etc/$name/appsettings.json" "$x/DEBIAN/conffiles" || { echo "package.sh: /etc/$name/appsettings.json is not a conffile" >&2; return 1; }
  grep -q "^ExecStart=/opt/$name/$binary" "$x/lib/systemd/system/$name.service" || { echo "package.sh: the unit does not start /opt/$name/$binary" >&2; return 1; }
  [ -x "$x/opt/$name/$binary" ] || { echo "package.sh: /opt/$name/$binary is not executable" >&2; return 1; }
  if command -v systemd-analyze >/dev/null; then
    systemd-analyze verify --root="$x" "$x/lib/systemd/system/$name.service" 2>&1 | grep -v "Cannot add dependency\|No such file\|ignoring\|sysinit.target" >&2 || true
  fi
  # Runs from the package alone: no SDK, no DOTNET_ROOT, a bare PATH (native builds only).
  if [ "$arch" = "$(dpkg --print-architecture)" ]; then
    env -i PATH=/usr/bin:/bin HOME="$x" "$x/opt/$name/$binary" --version >/dev/null \
      || { echo "package.sh: /opt/$name/$binary --version failed outside the SDK" >&2; return 1; }
  fi
}

for rid in "${rids[@]}"; do
  case "$rid" in linux-x64) arch=amd64 ;; linux-arm64) arch=arm64 ;; *) echo "package.sh: unsupported --rid $rid" >&2; exit 2 ;; esac
  for entry in "${programs[@]}"; do
    IFS='|' read -r name project binary unit sysusers description <<<"$entry"
    stage="$out/stage/$name-$arch"; rm -rf "$stage"; mkdir -p "$stage/DEBIAN"
    echo "== $name $version $arch: publish ($rid, self-contained, ReadyToRun)"
    dotnet publish "$project" -c Release -r "$rid" --self-contained true -p:PublishReadyToRun=true \
      -p:DebugType=none -p:GenerateDocumentationFile=false -o "$stage/opt/$name" --nologo -v quiet
    # Shipped defaults stay beside the binary; the site file in /etc starts empty and is the installer's to edit.
    install -D -m 0644 "$unit" "$stage/lib/systemd/system/$name.service"
    sed -i "s|^ExecStart=/usr/bin/dotnet /opt/$name/$binary.dll|ExecStart=/opt/$name/$binary|" "$stage/lib/systemd/system/$name.service"
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
