using static EdgeGateway.Benchmarks.HarnessSupport;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using EdgeGateway.Contracts.V1;
using EdgeGateway.Hosting;
using FleetControl.Alerts;
using FleetControl.Auth;
using FleetControl.Hosting;
using FleetControl.Ingest;
using FleetControl.Store;
using Google.Protobuf.WellKnownTypes;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace EdgeGateway.Benchmarks.FleetConsole;

/// <summary>
/// Fleet engineers' console figures (issue 10), each against a baseline measured in the same run (not BenchmarkDotNet):
/// <list type="number">
/// <item>command round trip: REST POST of a ping → FleetControl's command store → embedded broker → a real gateway
/// (GatewayHost, in process) → its result → the REST wait answering, p50/p99; baseline: a raw MQTTnet request/response
/// (QoS 1 request to a responder, QoS 1 reply) through a plain MQTTnet broker on loopback, the same four hops without
/// FleetControl or the gateway;</item>
/// <item>the fleet table with N devices: a page of <c>GET /api/fleet-table</c> (what the console's fleet page loads; also
/// filtered, and deep in the list) and the whole <c>GET /api/devices</c>, against the raw store query behind both
/// (<c>IFleetStore.GetDevicesAsync</c>);</item>
/// <item>alert fan-out: from <c>AlertService.Raise</c> to the <c>event: alert</c> line on each of C live SSE sessions
/// (<c>/api/alerts/stream</c>, the console's feed), against the same with one session.</item>
/// </list>
/// <c>dotnet run -c Release --project benchmarks/EdgeGateway.Benchmarks -- console [--commands 200] [--devices 10000] [--page-runs 20] [--clients 50] [--alerts 20]</c>
/// </summary>
internal static class ConsoleHarness
{
    private const string GatewayId = "bench-gw";

    public static async Task<int> RunAsync(string[] args)
    {
        var commands = Option(args, "--commands", 200);
        var devices = Option(args, "--devices", 10_000);
        var pageRuns = Option(args, "--page-runs", 20);
        var clients = Option(args, "--clients", 50);
        var alerts = Option(args, "--alerts", 20);
        var root = Path.Combine(Path.GetTempPath(), "eg-console-bench-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(root);
        Console.WriteLine($"console harness: {Environment.ProcessorCount} cores, load average {LoadAverage()}, in {root}");
        try
        {
            var token = await ProvisionTokenAsync(Path.Combine(root, "fleet")).ConfigureAwait(false);
            var mqttPort = FreePort();
            var fleet = FleetControlHost.CreateBuilder(
            [
                $"--FleetControl:DataDirectory={Path.Combine(root, "fleet")}",
                "--FleetControl:HttpPort=0",
                "--FleetControl:GrpcPort=0",
                "--Identity:DevelopmentPlaintext=true",
                $"--Mqtt:Port={mqttPort.ToString(CultureInfo.InvariantCulture)}",
                "--Logging:LogLevel:Default=Error",
            ]).Build();
            FleetControlHost.Map(fleet);
            await fleet.StartAsync().ConfigureAwait(false);
            await fleet.Services.GetRequiredService<MqttIngestClient>().Subscribed.ConfigureAwait(false);
            var endpoints = fleet.Services.GetRequiredService<FleetEndpoints>();
            using var http = new HttpClient { BaseAddress = endpoints.RestUri, Timeout = TimeSpan.FromMinutes(5) };
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);

            using var gateway = GatewayHost.CreateBuilder(
            [
                $"--Gateway:DeviceId={GatewayId}",
                "--Gateway:Role=Vehicle",
                $"--Gateway:DataDirectory={Path.Combine(root, "gateway")}",
                $"--Gateway:FleetControlUrl={endpoints.GrpcUri}",
                "--Security:DevelopmentPlaintext=true",
                "--Mqtt:Host=127.0.0.1",
                $"--Mqtt:Port={mqttPort.ToString(CultureInfo.InvariantCulture)}",
                "--Gnss:Transport=Tcp", // nothing listens: the adapter retries quietly, the rest of the gateway runs
                $"--Gnss:Tcp:Port={FreePort().ToString(CultureInfo.InvariantCulture)}",
                "--Logging:LogLevel:Default=Error",
            ]).Build();
            await gateway.StartAsync().ConfigureAwait(false);
            await WaitOnlineAsync(http).ConfigureAwait(false);

            Console.WriteLine();
            Console.WriteLine($"## 1. Command round trip ({commands} pings, one at a time, after 20 warm-up)");
            var roundTrips = await CommandRoundTripsAsync(http, commands).ConfigureAwait(false);
            var raw = await RawMqttRequestResponse.MeasureAsync(FreePort(), commands).ConfigureAwait(false);
            Console.WriteLine("| path | p50 | p99 | max |");
            Console.WriteLine("|---|---:|---:|---:|");
            Console.WriteLine(Row("REST → FleetControl → broker → gateway → result → REST", roundTrips));
            Console.WriteLine(Row("baseline: raw MQTT request/response (MQTTnet broker, QoS 1)", raw));
            Console.WriteLine(Invariant($"ratio console/raw: p50 {Percentile(roundTrips, 0.5) / Percentile(raw, 0.5):0.0}x, p99 {Percentile(roundTrips, 0.99) / Percentile(raw, 0.99):0.0}x"));

            await gateway.StopAsync().ConfigureAwait(false);

            Console.WriteLine();
            Console.WriteLine($"## 2. Fleet table with {devices} devices ({pageRuns} runs each, after 2 warm-up)");
            var store = fleet.Services.GetRequiredService<IFleetStore>();
            var fill = Stopwatch.StartNew();
            await FillFleetAsync(store, devices).ConfigureAwait(false);
            Console.WriteLine(Invariant($"  {await store.CountDevicesAsync(CancellationToken.None).ConfigureAwait(false)} devices in the store (filled in {fill.Elapsed.TotalSeconds:0.0} s)"));
            var (table, tableBytes) = await FleetPageAsync(http, "/api/fleet-table?offset=0&limit=100", pageRuns).ConfigureAwait(false);
            var (filtered, filteredBytes) = await FleetPageAsync(http, "/api/fleet-table?offset=4900&limit=100&filter=car-0&online=true", pageRuns).ConfigureAwait(false);
            var (api, bytes) = await FleetPageAsync(http, "/api/devices", pageRuns).ConfigureAwait(false);
            var query = await StoreQueryAsync(store, pageRuns).ConfigureAwait(false);
            var storePage = await StoreQueryAsync(store, pageRuns, new DeviceQuery(Limit: 100)).ConfigureAwait(false);
            var storeFiltered = await StoreQueryAsync(store, pageRuns, new DeviceQuery("car-0", true, 4900, 100)).ConfigureAwait(false);
            Console.WriteLine("| what | p50 | p99 | max | ratio to the store query (p50) |");
            Console.WriteLine("|---|---:|---:|---:|---:|");
            var baseline = Percentile(query, 0.5);
            Console.WriteLine(Row(Invariant($"console page: GET /api/fleet-table, first 100 ({tableBytes / 1024.0:0} KiB)"), table, baseline));
            Console.WriteLine(Row(Invariant($"console page: filter + online + page 50 ({filteredBytes / 1024.0:0} KiB)"), filtered, baseline));
            Console.WriteLine(Row(Invariant($"every device: GET /api/devices ({bytes / 1024.0 / 1024.0:0.0} MiB JSON)"), api, baseline));
            Console.WriteLine(Row("store page: IFleetStore.GetDevicePageAsync, first 100", storePage, baseline));
            Console.WriteLine(Row("store page: GetDevicePageAsync, filter + online + page 50", storeFiltered, baseline));
            Console.WriteLine(Row("baseline: IFleetStore.GetDevicesAsync (every device, what the table read before)", query, baseline));

            Console.WriteLine();
            Console.WriteLine($"## 3. Alert fan-out ({alerts} alerts, one at a time, each awaited on every session)");
            var service = fleet.Services.GetRequiredService<AlertService>();
            var one = await AlertFanOut.MeasureAsync(http, service, 1, alerts, "one").ConfigureAwait(false);
            var many = await AlertFanOut.MeasureAsync(http, service, clients, alerts, "many").ConfigureAwait(false);
            Console.WriteLine("| sessions | deliveries | p50 | p99 | max | last session p50 |");
            Console.WriteLine("|---:|---:|---:|---:|---:|---:|");
            Console.WriteLine(FanRow(1, one));
            Console.WriteLine(FanRow(clients, many));
            Console.WriteLine(Invariant($"ratio {clients} sessions / 1: p50 {Percentile(many.Deliveries, 0.5) / Percentile(one.Deliveries, 0.5):0.0}x, p99 {Percentile(many.Deliveries, 0.99) / Percentile(one.Deliveries, 0.99):0.0}x, last session p50 {Percentile(many.Last, 0.5) / Percentile(one.Last, 0.5):0.0}x"));
            Console.WriteLine();
            Console.WriteLine($"load average at the end: {LoadAverage()}");

            await fleet.StopAsync().ConfigureAwait(false);
            await fleet.DisposeAsync().ConfigureAwait(false);
            return 0;
        }
        finally
        {
            try
            {
                Directory.Delete(root, recursive: true);
            }
            catch (IOException)
            {
                // Best effort.
            }
        }
    }

    private static async Task<string> ProvisionTokenAsync(string dataDirectory)
    {
        Directory.CreateDirectory(dataDirectory);
        var accounts = new FileAccountStore(Path.Combine(dataDirectory, "accounts.json"));
        var (token, record) = ApiTokens.Create(DateTimeOffset.UnixEpoch, expiresAt: null);
        await accounts.UpdateAsync(document =>
        {
            document.Accounts.Add(new AccountRecord { Name = "bench-admin", Role = Roles.Administrator, Tokens = [record] });
            return true;
        }, CancellationToken.None).ConfigureAwait(false);
        return token;
    }

    private static async Task WaitOnlineAsync(HttpClient http)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromMinutes(2))
        {
            using var response = await http.GetAsync($"/api/devices/{GatewayId}").ConfigureAwait(false);
            if (response.IsSuccessStatusCode && (await response.Content.ReadFromJsonAsync<JsonElement>().ConfigureAwait(false)).GetProperty("online").GetBoolean())
            {
                return;
            }

            await Task.Delay(100).ConfigureAwait(false);
        }

        throw new TimeoutException($"{GatewayId} did not come online");
    }

    private static async Task<List<double>> CommandRoundTripsAsync(HttpClient http, int count)
    {
        var timings = new List<double>(count);
        for (var i = -20; i < count; i++)
        {
            var watch = Stopwatch.StartNew();
            using var sent = await http.PostAsJsonAsync($"/api/devices/{GatewayId}/commands", new { type = "ping", payload = "p" }).ConfigureAwait(false);
            sent.EnsureSuccessStatusCode();
            var id = (await sent.Content.ReadFromJsonAsync<JsonElement>().ConfigureAwait(false)).GetProperty("commandId").GetString();
            var done = await http.GetFromJsonAsync<JsonElement>($"/api/commands/{id}?waitSeconds=60").ConfigureAwait(false);
            var elapsed = watch.Elapsed.TotalMilliseconds;
            if (done.GetProperty("state").GetString() != "succeeded")
            {
                throw new InvalidOperationException($"command {id}: {done}");
            }

            if (i >= 0)
            {
                timings.Add(elapsed);
            }
        }

        return timings;
    }

    /// <summary>N devices as a fleet looks: registered, online status, one health report with queues and one position each.</summary>
    private static async Task FillFleetAsync(IFleetStore store, int count)
    {
        var now = TimeProvider.System.GetUtcNow();
        const int Batch = 1000;
        for (var start = 0; start < count; start += Batch)
        {
            var envelopes = new List<Envelope>(2 * Batch);
            for (var i = start; i < Math.Min(count, start + Batch); i++)
            {
                var id = string.Create(CultureInfo.InvariantCulture, $"{(i % 10 == 0 ? "dock" : "car")}-{i:D5}");
                await store.RegisterDeviceAsync(new DeviceRegistration(id, i % 10 == 0 ? "Dock" : "Vehicle", "1.4.2", "host-" + id, ["gnss"], now), CancellationToken.None).ConfigureAwait(false);
                await store.UpdateStatusAsync(id, new DeviceStatus { Online = i % 7 != 0, Role = i % 10 == 0 ? "Dock" : "Vehicle", SoftwareVersion = "1.4.2", At = Timestamp.FromDateTimeOffset(now) }, now, CancellationToken.None).ConfigureAwait(false);
                var health = new HealthReport { LinkState = LinkState.Connected, Durability = DurabilityState.Ok, AcceptedTotal = 1000, AcknowledgedTotal = 990, FreeDiskBytes = 10L << 30, SoftwareVersion = "1.4.2" };
                foreach (var priority in new[] { PriorityClass.Emergency, PriorityClass.Alert, PriorityClass.Event, PriorityClass.Read, PriorityClass.Telemetry, PriorityClass.Bulk })
                {
                    health.Queues.Add(new QueueClassStats { Priority = priority, Depth = (ulong)(i % 13), OldestUnsentAgeMs = (ulong)(i % 13) * 1000 });
                }

                envelopes.Add(Envelope(id, "health", 1, now, e => e.Health = health));
                envelopes.Add(Envelope(id, "gnss", 2, now, e => e.Position = new Position { FixTime = Timestamp.FromDateTimeOffset(now), Latitude = 51.5 + (i % 100) * 0.01, Longitude = -0.1 - (i / 100) * 0.01, Mode = FixMode._3D, SatellitesUsed = 9 }));
            }

            await store.StoreEnvelopesAsync(envelopes, now, CancellationToken.None).ConfigureAwait(false);
        }
    }

    private static Envelope Envelope(string device, string stream, ulong sequence, DateTimeOffset at, Action<Envelope> body)
    {
        var envelope = new Envelope
        {
            MessageId = Guid.CreateVersion7().ToString(),
            DeviceId = device,
            Stream = stream,
            Sequence = sequence,
            CapturedAt = Timestamp.FromDateTimeOffset(at),
            TimeSource = TimeSource.Gnss,
            Priority = PriorityClass.Telemetry,
        };
        body(envelope);
        return envelope;
    }

    private static async Task<(List<double> Timings, long Bytes)> FleetPageAsync(HttpClient http, string path, int runs)
    {
        var timings = new List<double>(runs);
        long bytes = 0;
        for (var i = -2; i < runs; i++)
        {
            var watch = Stopwatch.StartNew();
            var body = await http.GetByteArrayAsync(path).ConfigureAwait(false);
            if (i >= 0)
            {
                timings.Add(watch.Elapsed.TotalMilliseconds);
            }

            bytes = body.Length;
        }

        return (timings, bytes);
    }

    private static async Task<List<double>> StoreQueryAsync(IFleetStore store, int runs, DeviceQuery? page = null)
    {
        var timings = new List<double>(runs);
        for (var i = -2; i < runs; i++)
        {
            var watch = Stopwatch.StartNew();
            object all = page is null
                ? await store.GetDevicesAsync(CancellationToken.None).ConfigureAwait(false)
                : await store.GetDevicePageAsync(page, CancellationToken.None).ConfigureAwait(false);
            if (i >= 0)
            {
                timings.Add(watch.Elapsed.TotalMilliseconds);
            }

            GC.KeepAlive(all);
        }

        return timings;
    }

    internal static double Percentile(List<double> values, double p)
    {
        var sorted = values.Order().ToList();
        return sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];
    }

    private static string Row(string name, List<double> ms) =>
        Invariant($"| {name} | {Percentile(ms, 0.5):0.00} ms | {Percentile(ms, 0.99):0.00} ms | {ms.Max():0.00} ms |");

    private static string Row(string name, List<double> ms, double baseline) =>
        Invariant($"| {name} | {Percentile(ms, 0.5):0.0} ms | {Percentile(ms, 0.99):0.0} ms | {ms.Max():0.0} ms | {Percentile(ms, 0.5) / baseline:0.00}x |");

    private static string FanRow(int sessions, AlertFanOut.Result r) =>
        Invariant($"| {sessions} | {r.Deliveries.Count} | {Percentile(r.Deliveries, 0.5):0.00} ms | {Percentile(r.Deliveries, 0.99):0.00} ms | {r.Deliveries.Max():0.00} ms | {Percentile(r.Last, 0.5):0.00} ms |");

    private static string LoadAverage()
    {
        try
        {
            return string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
        }
        catch (IOException)
        {
            return "?";
        }
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
