using static EdgeGateway.Benchmarks.HarnessSupport;
using System.Diagnostics;
using System.Globalization;
using EdgeGateway.Contracts;
using EdgeGateway.Contracts.V1;
using FleetControl.Hosting;
using FleetControl.Ingest;
using FleetControl.Store;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace EdgeGateway.Benchmarks.FleetStore;

/// <summary>
/// FleetControl durable ingest harness (not BenchmarkDotNet): N simulated gateways publish their
/// backlog as QoS 1 EnvelopeBatches to an in-process FleetControl (embedded broker, LiteDB in a temp
/// directory) and wait for every DeliveryAck (= stored durably, deduplicated). Reports envelopes/s and
/// the ratios to two raw MQTTnet QoS 1 loops of the same payloads against the same broker in the same
/// run: publish only (a topic nobody subscribes to) and relay (each publish delivered back to a QoS 1
/// subscriber, i.e. the ingest path without parse, store and ack). <c>store</c> measures <see cref="IFleetStore"/> alone.
/// <c>dotnet run -c Release --project benchmarks/EdgeGateway.Benchmarks -- fleetstore [--devices 4] [--batches 100] [--batch-size 100] [--rounds 3] [--dir DIR]</c>
/// <c>dotnet run -c Release --project benchmarks/EdgeGateway.Benchmarks -- fleetstore store [--commits 20] [--commit-size 5000]</c>
/// </summary>
internal static class FleetStoreHarness
{
    private static readonly DateTimeOffset BaseTime = new(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);

    public static async Task<int> RunAsync(string[] args)
    {
        var devices = Option(args, "--devices", 4);
        var batches = Option(args, "--batches", 100);
        var batchSize = Option(args, "--batch-size", 100);
        var rounds = Option(args, "--rounds", 3);
        var root = OptionString(args, "--dir") ?? Path.GetTempPath();
        var dir = Path.Combine(root, "fleetstore-bench-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            if (args.Length > 0 && args[0] == "store")
            {
                return await RunStoreOnlyAsync(dir, Option(args, "--commits", 20), Option(args, "--commit-size", 5000)).ConfigureAwait(false);
            }

            return await RunEndToEndAsync(dir, devices, batches, batchSize, rounds).ConfigureAwait(false);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static async Task<int> RunStoreOnlyAsync(string dir, int commits, int commitSize)
    {
        var path = Path.Combine(dir, "fleet.db");
        await StoreManyAsync(path, commits, commitSize).ConfigureAwait(false);

        // Re-opening reads the largest stored id (the dedupe watermark) from the primary-key index.
        var open = Stopwatch.StartNew();
        using var reopened = new LiteDbFleetStore(path);
        var count = await reopened.CountEnvelopesAsync(CancellationToken.None).ConfigureAwait(false);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"re-open with {count} envelopes: {open.Elapsed.TotalMilliseconds:F0} ms; watermark dedupe {(reopened.DedupesByWatermark ? "on" : "off")}"));
        return 0;
    }

    private static async Task StoreManyAsync(string path, int commits, int commitSize)
    {
        using var store = new LiteDbFleetStore(path);
        var seq = 0UL;
        await store.StoreEnvelopesAsync([Position("warm", ++seq)], BaseTime, CancellationToken.None).ConfigureAwait(false);
        var lists = Enumerable.Range(0, commits)
            .Select(_ => Enumerable.Range(0, commitSize).Select(i => Position($"car-{i % 8}", ++seq)).ToList())
            .ToList();
        var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
        var sw = Stopwatch.StartNew();
        foreach (var list in lists)
        {
            await store.StoreEnvelopesAsync(list, BaseTime, CancellationToken.None).ConfigureAwait(false);
        }

        sw.Stop();
        var cpu = Process.GetCurrentProcess().TotalProcessorTime - cpu0;
        var total = commits * commitSize;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"store only: {total} envelopes in {commits} commits: {sw.Elapsed.TotalSeconds:F2} s = {total / sw.Elapsed.TotalSeconds:F0} envelopes/s, CPU {cpu.TotalMicroseconds / total:F1} us/envelope"));
    }

    private static async Task<int> RunEndToEndAsync(string dir, int devices, int batches, int batchSize, int rounds)
    {
        var port = FreePort();
        string[] hostArgs =
        [
            $"--FleetControl:DataDirectory={dir}",
            "--FleetControl:HttpPort=0",
            "--FleetControl:GrpcPort=0",
            "--Identity:DevelopmentPlaintext=true",
            $"--Mqtt:Port={port}",
            "--Logging:LogLevel:Default=Warning",
        ];
        var builder = FleetControlHost.CreateBuilder(hostArgs);
        await using var app = builder.Build();
        FleetControlHost.Map(app);
        await app.StartAsync().ConfigureAwait(false);
        await app.Services.GetRequiredService<MqttIngestClient>().Subscribed.WaitAsync(TimeSpan.FromSeconds(30)).ConfigureAwait(false);

        var clients = new List<(string DeviceId, IMqttClient Client, AckCounter Acks)>();
        for (var d = 0; d < devices; d++)
        {
            var id = $"bench-{d}";
            var acks = new AckCounter();
            clients.Add((id, await ConnectAsync(port, id, acks).ConfigureAwait(false), acks));
        }

        var seq = 0UL;
        var total = devices * batches * batchSize;
        Console.WriteLine($"{devices} devices x {batches} batches x {batchSize} envelopes = {total} envelopes per round; {Environment.ProcessorCount} cores");
        for (var round = 0; round <= rounds; round++)
        {
            // Fresh envelopes (new ids) each round: every round stores, none deduplicates.
            var payloads = clients.Select(c => Enumerable.Range(0, batches)
                .Select(_ =>
                {
                    var batch = new EnvelopeBatch();
                    for (var i = 0; i < batchSize; i++)
                    {
                        batch.Envelopes.Add(Position(c.DeviceId, Interlocked.Increment(ref seq)));
                    }

                    return batch.ToByteArray();
                }).ToList()).ToList();

            // Baseline 1: QoS 1 publishes the broker only PUBACKs (nobody subscribes).
            var raw = await TimeAsync(() => Task.WhenAll(clients.Select((c, d) =>
                Task.WhenAll(payloads[d].Select(p => PublishAsync(c.Client, RawTopic(c.DeviceId), p)))))).ConfigureAwait(false);

            // Baseline 2: QoS 1 relay, each publish delivered back to a QoS 1 subscriber (what ingest
            // does minus parsing, storing and acking).
            foreach (var c in clients)
            {
                c.Acks.Reset(batches);
            }

            var relay = await TimeAsync(async () =>
            {
                await Task.WhenAll(clients.Select((c, d) =>
                    Task.WhenAll(payloads[d].Select(p => PublishAsync(c.Client, RelayTopic(c.DeviceId), p))))).ConfigureAwait(false);
                await Task.WhenAll(clients.Select(c => c.Acks.Done)).WaitAsync(TimeSpan.FromSeconds(300)).ConfigureAwait(false);
            }).ConfigureAwait(false);

            foreach (var c in clients)
            {
                c.Acks.Reset(batches * batchSize);
            }

            var durable = await TimeAsync(async () =>
            {
                await Task.WhenAll(clients.Select((c, d) =>
                    Task.WhenAll(payloads[d].Select(p => PublishAsync(c.Client, Topics.ForEnvelope(c.DeviceId, PriorityClass.Telemetry, "gnss"), p))))).ConfigureAwait(false);
                await Task.WhenAll(clients.Select(c => c.Acks.Done)).WaitAsync(TimeSpan.FromSeconds(300)).ConfigureAwait(false);
            }).ConfigureAwait(false);

            var stats = app.Services.GetRequiredService<IngestStats>();
            var label = round == 0 ? "warm-up" : $"round {round}";
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{label}: QoS1 publish only {total / raw.TotalSeconds:F0} env/s; QoS1 relay {total / relay.TotalSeconds:F0} env/s; durable ingest {total / durable.TotalSeconds:F0} env/s ({durable.TotalSeconds:F2} s); ratio to publish {raw.TotalSeconds / durable.TotalSeconds:F3}, to relay {relay.TotalSeconds / durable.TotalSeconds:F2}; commits so far {stats.Commits}"));
        }

        var stored = await app.Services.GetRequiredService<IFleetStore>().CountEnvelopesAsync(CancellationToken.None).ConfigureAwait(false);
        Console.WriteLine($"stored {stored} envelopes (expected {total * (rounds + 1)})");
        foreach (var c in clients)
        {
            c.Client.Dispose();
        }

        await app.StopAsync().ConfigureAwait(false);
        return stored == total * (rounds + 1) ? 0 : 1;
    }

    private static async Task<TimeSpan> TimeAsync(Func<Task> action)
    {
        var sw = Stopwatch.StartNew();
        await action().ConfigureAwait(false);
        return sw.Elapsed;
    }

    private static string RawTopic(string deviceId) => $"fleet/v1/{deviceId}/bench/raw";

    private static string RelayTopic(string deviceId) => $"fleet/v1/{deviceId}/bench/relay";

    private static Task<MqttClientPublishResult> PublishAsync(IMqttClient client, string topic, byte[] payload) =>
        client.PublishAsync(new MqttApplicationMessageBuilder()
            .WithTopic(topic)
            .WithPayload(payload)
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .Build());

    private static async Task<IMqttClient> ConnectAsync(int port, string deviceId, AckCounter acks)
    {
        var client = new MqttClientFactory().CreateMqttClient();
        client.ApplicationMessageReceivedAsync += e =>
        {
            // A relayed publish counts 1; a DeliveryAck counts its ids.
            acks.Add(e.ApplicationMessage.Topic == RelayTopic(deviceId) ? 1 : DeliveryAck.Parser.ParseFrom(e.ApplicationMessage.Payload).MessageIds.Count);
            return Task.CompletedTask;
        };
        var options = new MqttClientOptionsBuilder()
            .WithTcpServer("127.0.0.1", port)
            .WithClientId(deviceId)
            .WithProtocolVersion(MqttProtocolVersion.V500)
            .WithCleanStart(true)
            .Build();
        await client.ConnectAsync(options).ConfigureAwait(false);
        await client.SubscribeAsync(new MqttClientSubscribeOptionsBuilder()
            .WithTopicFilter(f => f.WithTopic(Topics.Acks(deviceId)).WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce))
            .WithTopicFilter(f => f.WithTopic(RelayTopic(deviceId)).WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce))
            .Build()).ConfigureAwait(false);
        return client;
    }

    internal static Envelope Position(string deviceId, ulong sequence) => new()
    {
        MessageId = Guid.CreateVersion7().ToString(),
        DeviceId = deviceId,
        Stream = "gnss",
        Sequence = sequence,
        CapturedAt = Timestamp.FromDateTimeOffset(BaseTime.AddSeconds(sequence)),
        TimeSource = TimeSource.Gnss,
        Priority = PriorityClass.Telemetry,
        Position = new Position
        {
            FixTime = Timestamp.FromDateTimeOffset(BaseTime.AddSeconds(sequence)),
            Latitude = 51.5,
            Longitude = -0.12,
            AltitudeM = 35.5,
            SpeedMps = 12.5,
            TrackDeg = 90,
            Mode = FixMode._3D,
            SatellitesUsed = 9,
        },
    };

    /// <summary>Counts acknowledged ids of one device until the expected number arrived.</summary>
    private sealed class AckCounter
    {
        private TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _remaining = int.MaxValue;

        public Task Done => _done.Task;

        public void Reset(int expected)
        {
            _done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            Volatile.Write(ref _remaining, expected);
        }

        public void Add(int count)
        {
            if (Interlocked.Add(ref _remaining, -count) <= 0)
            {
                _done.TrySetResult();
            }
        }
    }
}
