#!/usr/bin/env bash
# Runs the whole system locally: FleetControl (embedded MQTT broker, LiteDB store, evidence vault),
# simulated patrol vehicles (GPS simulator on a pseudo-terminal + gateway) and a simulated BWV
# docking station (dock simulator + gateway in the dock role), each its own process on loopback.
# Ctrl+C stops everything. Options go to the `system` command (./run.sh --help).
set -euo pipefail
cd "$(dirname "$0")"
eng/install-prerequisites.sh
dotnet build EdgeGateway.sln -c Release -nologo -v q
exec dotnet src/EdgeGateway.Simulators/bin/Release/net10.0/EdgeGateway.Simulators.dll system "$@"
