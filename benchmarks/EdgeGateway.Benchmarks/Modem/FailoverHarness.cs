using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using EdgeGateway.Simulators.LocalSystem;

namespace EdgeGateway.Benchmarks.Modem;

/// <summary>
/// <c>failover [--rounds 5]</c>: FleetControl (with its TETRA gateway), a vehicle gateway, and its two simulated
/// modems (<see cref="RadioNode"/>: the LTE modem's data path carries MQTT, the TETRA terminal is linked to
/// FleetControl), each its own process, as <c>./run.sh</c> runs them. Each round presses the TETRA emergency
/// button twice: once with LTE up (baseline: the Emergency envelope goes over MQTT), and once at the very moment
/// LTE is lost (the data path resets the MQTT connection): press → FleetControl holds the emergency, which then
/// includes noticing the lost link, moving the drain onto TETRA, the SDS pacing and air time, and the store.
/// Measured by polling FleetControl's REST API every 10 ms.
/// </summary>
internal static class FailoverHarness
{
    private const string DeviceId = "bench-radio";

    public static async Task<int> RunAsync(string[] args)
    {
        var rounds = HarnessSupport.Option(args, "--rounds", 5);
        var outputs = BuildOutputs.Locate();
        var directory = Path.Combine(Path.GetTempPath(), "failover-bench-" + Guid.NewGuid().ToString("N")[..8]);
        var tetraPort = HarnessSupport.FreePort();
        await using var fleet = new FleetControlNode(outputs, Path.Combine(directory, "fleetcontrol"), HarnessSupport.FreePort(), HarnessSupport.FreePort(), HarnessSupport.FreePort());
        fleet.Settings["Tetra:Enabled"] = "true";
        fleet.Settings["Tetra:Port"] = tetraPort.ToString(CultureInfo.InvariantCulture);
        fleet.Settings["Tetra:Issi"] = RadioNode.DispatcherIssi;
        fleet.Settings["Tetra:Terminals:1001"] = DeviceId;
        GatewayNode? gateway = null;
        RadioNode? radio = null;
        var completed = false;
        try
        {
            await fleet.StartAsync(CancellationToken.None).ConfigureAwait(false);
            var vehicle = Path.Combine(directory, DeviceId);
            radio = new RadioNode(outputs, vehicle, "1001", "ok@0", fleet.BrokerPort, tetraPort);
            await radio.StartAsync(CancellationToken.None).ConfigureAwait(false);
            var settings = await fleet.EnrolGatewayAsync(DeviceId, vehicle, CancellationToken.None).ConfigureAwait(false);
            settings["Gnss:Transport"] = "Serial";
            settings["Gnss:Serial:PortName"] = Path.Combine(vehicle, "no-gps.tty");
            radio.Apply(settings);
            gateway = new GatewayNode(outputs, DeviceId, "Vehicle", vehicle, fleet.BrokerPort, fleet.GrpcUrl, settings);
            gateway.Start();
            await UntilAsync(() => gateway.ReadHealth()?.Link == "CONNECTED" && Counter(gateway, "tetra.registered") == 1, TimeSpan.FromSeconds(120), "gateway connected, terminal registered").ConfigureAwait(false);

            var seen = await EmergenciesAsync(fleet).ConfigureAwait(false);
            var up = new List<double>();
            var failover = new List<double>();
            for (var round = 0; round < rounds; round++)
            {
                up.Add(await PressAsync(fleet, radio, seen, loseLte: false).ConfigureAwait(false));
                failover.Add(await PressAsync(fleet, radio, seen, loseLte: true).ConfigureAwait(false));
                await radio.SetLteCoverageAsync("good").ConfigureAwait(false);
                await UntilAsync(() => gateway.ReadHealth() is { Link: "CONNECTED", Backlog: 0 }, TimeSpan.FromSeconds(120), "LTE back and the backlog drained").ConfigureAwait(false);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"round {round + 1}: LTE up {up[^1]:F0} ms, LTE lost at the press {failover[^1]:F0} ms"));
            }

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"emergency press → stored at FleetControl, {rounds} rounds: LTE up (baseline) median {Median(up):F0} ms (min {up.Min():F0}, max {up.Max():F0}); " +
                $"LTE lost at the press, over TETRA: median {Median(failover):F0} ms (min {failover.Min():F0}, max {failover.Max():F0}); ratio {Median(failover) / Median(up):F1}"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"gateway: {Counter(gateway, "tetra.uplink.failovers")} failover(s), {Counter(gateway, "tetra.uplink.envelopes_stored")} envelope(s) stored over TETRA; FleetControl holds {seen.Count} emergency event(s), one per press"));
            completed = true;
            return 0;
        }
        finally
        {
            if (gateway is not null)
            {
                await gateway.StopAsync().ConfigureAwait(false);
                await gateway.DisposeAsync().ConfigureAwait(false);
            }

            if (radio is not null)
            {
                await radio.DisposeAsync().ConfigureAwait(false);
            }

            await fleet.StopAsync().ConfigureAwait(false);
            if (completed)
            {
                Directory.Delete(directory, recursive: true);
            }
            else
            {
                Console.WriteLine($"logs kept in {directory}");
            }
        }
    }

    private static async Task<double> PressAsync(FleetControlNode fleet, RadioNode radio, HashSet<string> seen, bool loseLte)
    {
        var start = Stopwatch.GetTimestamp();
        if (loseLte)
        {
            await radio.SetLteCoverageAsync("lost").ConfigureAwait(false);
        }

        await radio.PressEmergencyAsync().ConfigureAwait(false);
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(120))
        {
            var now = await EmergenciesAsync(fleet).ConfigureAwait(false);
            var fresh = now.Except(seen).ToList();
            if (fresh.Count > 0)
            {
                var elapsed = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
                seen.UnionWith(fresh);
                return elapsed;
            }

            await Task.Delay(10).ConfigureAwait(false);
        }

        throw new TimeoutException("the emergency did not reach FleetControl within 120 s");
    }

    private static async Task<HashSet<string>> EmergenciesAsync(FleetControlNode fleet)
    {
        try
        {
            var device = await fleet.GetJsonAsync($"/api/devices/{DeviceId}", CancellationToken.None).ConfigureAwait(false);
            return device.TryGetProperty("events", out var events)
                ? [.. events.EnumerateArray().Where(e => e.GetProperty("type").GetString() == "emergency").Select(e => e.GetProperty("messageId").GetString()!)]
                : [];
        }
        catch (HttpRequestException)
        {
            return []; // not known yet
        }
    }

    private static async Task UntilAsync(Func<bool> condition, TimeSpan timeout, string what)
    {
        var deadline = Stopwatch.StartNew();
        while (!condition())
        {
            if (deadline.Elapsed > timeout)
            {
                throw new TimeoutException($"waited {timeout} for: {what}");
            }

            await Task.Delay(100).ConfigureAwait(false);
        }
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
    }

    private static long Counter(GatewayNode gateway, string name)
    {
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllText(Path.Combine(gateway.DataDirectory, "health.json")));
            return document.RootElement.GetProperty("report").TryGetProperty("counters", out var counters) ? GatewayHealthSnapshot.Long(counters, name) : -1;
        }
        catch (Exception e) when (e is IOException or JsonException or KeyNotFoundException)
        {
            return -1;
        }
    }
}
