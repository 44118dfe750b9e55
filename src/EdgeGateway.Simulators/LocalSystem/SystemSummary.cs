using System.Globalization;
using System.Text;
using System.Text.Json;

namespace EdgeGateway.Simulators.LocalSystem;

/// <summary>
/// The launcher's live summary: what each simulated device produced, what its gateway accepted and
/// FleetControl acknowledged, what is still buffered, and what FleetControl holds.
/// </summary>
internal sealed class SystemSummary(FleetControlNode fleet, TimeProvider time)
{
    private readonly List<(GatewayNode Gateway, GpsSimulatorNode Gps, RadioNode? Radio)> _vehicles = [];
    private readonly List<(GatewayNode Gateway, DockSimulatorNode Simulator)> _docks = [];

    public void AddVehicle(GatewayNode gateway, GpsSimulatorNode gps, RadioNode? radio = null) => _vehicles.Add((gateway, gps, radio));

    public void AddDock(GatewayNode gateway, DockSimulatorNode simulator) => _docks.Add((gateway, simulator));

    public async Task<string> RenderAsync(CancellationToken cancellationToken)
    {
        var devices = await FleetDevicesAsync(cancellationToken).ConfigureAwait(false);
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"--- {time.GetLocalNow():HH:mm:ss} ");
        text.AppendLine(devices is null ? "(FleetControl not answering)" : $"FleetControl holds {devices.Count} device(s)");
        text.AppendLine("device       link        fixes  accepted  acked  backlog  stored  online");
        var radios = new List<string>();
        foreach (var (gateway, gps, radio) in _vehicles)
        {
            var health = Health(gateway);
            var device = Find(devices, gateway.DeviceId);
            text.AppendLine(string.Create(
                CultureInfo.InvariantCulture,
                $"{gateway.DeviceId,-12} {health.Link,-11} {gps.Fixes,5}  {health.Accepted,8}  {health.Acked,5}  {health.Backlog,7}  {Number(device, "positionCount"),6}  {Online(device)}"));
            if (radio is not null)
            {
                radios.Add($"{gateway.DeviceId}{radio.Describe(gateway)[1..]}");
            }
        }

        foreach (var line in radios)
        {
            text.AppendLine(line);
        }

        foreach (var (gateway, simulator) in _docks)
        {
            var health = Health(gateway);
            var detail = await DockDetailAsync(gateway.DeviceId, cancellationToken).ConfigureAwait(false);
            text.AppendLine(string.Create(
                CultureInfo.InvariantCulture,
                $"{gateway.DeviceId,-12} {health.Link,-11} {"-",5}  {health.Accepted,8}  {health.Acked,5}  {health.Backlog,7}  {"-",6}  {Online(Find(devices, gateway.DeviceId))}"));
            text.AppendLine(CultureInfo.InvariantCulture, $"  bays: {detail}");
            if (simulator.LastEvent.Length > 0)
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"  simulator: {simulator.LastEvent}");
            }
        }

        return text.ToString().TrimEnd();
    }

    private async Task<Dictionary<string, JsonElement>?> FleetDevicesAsync(CancellationToken cancellationToken)
    {
        try
        {
            var list = await fleet.GetJsonAsync("/api/devices", cancellationToken).ConfigureAwait(false);
            return list.EnumerateArray().ToDictionary(d => d.GetProperty("deviceId").GetString() ?? "?", d => d.Clone());
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or JsonException && !cancellationToken.IsCancellationRequested)
        {
            return null;
        }
    }

    /// <summary>"3/8 docked; 2 copying, 1 uploading, 5 wiped" from FleetControl's view of the dock.</summary>
    private async Task<string> DockDetailAsync(string deviceId, CancellationToken cancellationToken)
    {
        try
        {
            var detail = await fleet.GetJsonAsync($"/api/devices/{deviceId}", cancellationToken).ConfigureAwait(false);
            if (!detail.TryGetProperty("dock", out var dock) || dock.ValueKind != JsonValueKind.Object || !dock.TryGetProperty("bays", out var bays))
            {
                return "(no dock status yet)";
            }

            var docked = 0;
            var total = 0;
            var states = new SortedDictionary<string, int>(StringComparer.Ordinal);
            foreach (var bay in bays.EnumerateArray())
            {
                total++;
                if (bay.TryGetProperty("docked", out var d) && d.ValueKind == JsonValueKind.True)
                {
                    docked++;
                }

                if (bay.TryGetProperty("transfers", out var transfers))
                {
                    foreach (var transfer in transfers.EnumerateArray())
                    {
                        var state = transfer.TryGetProperty("state", out var s) ? s.GetString() ?? "?" : "?";
                        states[state] = states.GetValueOrDefault(state) + 1;
                    }
                }
            }

            return $"{docked}/{total} docked; " + (states.Count == 0 ? "no transfers" : string.Join(", ", states.Select(p => $"{p.Value} {p.Key}")));
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or JsonException && !cancellationToken.IsCancellationRequested)
        {
            return "(FleetControl not answering)";
        }
    }

    private static (string Link, string Accepted, string Acked, string Backlog) Health(GatewayNode gateway) =>
        gateway.ReadHealth() is { } h
            ? (h.Link, h.Accepted.ToString(CultureInfo.InvariantCulture), h.Acknowledged.ToString(CultureInfo.InvariantCulture), h.Backlog.ToString(CultureInfo.InvariantCulture))
            : (gateway.Process.HasExited ? "EXITED" : "starting", "-", "-", "-");

    private static JsonElement? Find(Dictionary<string, JsonElement>? devices, string deviceId) =>
        devices is not null && devices.TryGetValue(deviceId, out var device) ? device : null;

    private static string Number(JsonElement? device, string property) =>
        device is { } d ? GatewayHealthSnapshot.Long(d, property).ToString(CultureInfo.InvariantCulture) : "-";

    private static string Online(JsonElement? device) =>
        device is { ValueKind: JsonValueKind.Object } d && d.TryGetProperty("online", out var o) ? (o.ValueKind == JsonValueKind.True ? "yes" : "no") : "-";
}
