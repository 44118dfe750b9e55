using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using EdgeGateway.Contracts;
using EdgeGateway.Contracts.Security;
using EdgeGateway.Contracts.V1;
using FleetControl.Hosting;
using FleetControl.Identity;
using FleetControl.Ingest;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace EdgeGateway.Benchmarks.Security;

/// <summary>
/// What mutual TLS costs on FleetControl's MQTT side, each figure against its plaintext baseline measured in the same
/// run (the real FleetControl in-process: embedded broker, ingest, LiteDB store; plaintext = the development override):
/// <c>drain</c>: one device publishes a backlog of position envelopes (QoS 1, batches of 50, a window in flight, like
/// the gateway's uplink) until FleetControl has stored every one; ratio mTLS/plaintext of envelopes per second.
/// <c>storm</c>: N devices (own certificate each, issued by FleetControl's CA) connect at once, as after a FleetControl
/// restart; time until all are connected, handshakes per second, and the process's CPU seconds (broker and the
/// simulated devices share the process, so the CPU figure covers both ends of every handshake).
/// <c>dotnet run -c Release --project benchmarks/EdgeGateway.Benchmarks -- security [drain|storm|all] [--messages 50000] [--devices 1000] [--window 20] [--dir DIR]</c>
/// </summary>
internal static class SecurityHarness
{
    private const int Batch = 50;

    public static async Task<int> RunAsync(string[] args)
    {
        var mode = args.Length > 0 && !args[0].StartsWith("--", StringComparison.Ordinal) ? args[0] : "all";
        var messages = Option(args, "--messages", 50_000);
        var devices = Option(args, "--devices", 1000);
        var window = Option(args, "--window", 20);
        var root = Path.Combine(OptionString(args, "--dir") ?? Path.GetTempPath(), "eg-security-bench-" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
        Console.WriteLine(Invariant($"security {mode}: {Environment.ProcessorCount} cores, load average {File.ReadAllText("/proc/loadavg").Trim()}"));
        try
        {
            if (mode is "drain" or "all")
            {
                await DrainAsync(root, Math.Min(5_000, messages), window, print: false); // JIT and first-use costs of both modes
                var plain = await DrainAsync(root, messages, window, print: true, tls: false);
                var tls = await DrainAsync(root, messages, window, print: true, tls: true);
                var plain2 = await DrainAsync(root, messages, window, print: true, tls: false);
                var tls2 = await DrainAsync(root, messages, window, print: true, tls: true);
                Console.WriteLine(Invariant($"drain: mTLS/plaintext rate ratio {tls / plain:0.00} and {tls2 / plain2:0.00} (two alternating pairs)"));
            }

            if (mode is "storm" or "all")
            {
                await StormAsync(root, Math.Min(50, devices), print: false, tls: true);
                var plain = await StormAsync(root, devices, print: true, tls: false);
                var tls = await StormAsync(root, devices, print: true, tls: true);
                Console.WriteLine(Invariant($"storm: {devices} devices, mTLS took {tls / plain:0.00}x the plaintext time"));
            }

            return 0;
        }
        finally
        {
            if (Directory.Exists(root))
            {
                Directory.Delete(root, recursive: true);
            }
        }
    }

    /// <summary>Envelopes stored per second.</summary>
    private static async Task<double> DrainAsync(string root, int messages, int window, bool print, bool tls = true)
    {
        await using var fleet = await Fleet.StartAsync(Path.Combine(root, Guid.NewGuid().ToString("N")), tls);
        using var device = tls ? fleet.IssueDevice("bench-car") : null;
        using var client = new MqttClientFactory().CreateMqttClient();
        await client.ConnectAsync(fleet.ClientOptions("bench-car", device));
        var payloads = new List<byte[]>();
        for (var i = 0; i < messages; i += Batch)
        {
            var batch = new EnvelopeBatch();
            for (var j = i; j < Math.Min(messages, i + Batch); j++)
            {
                batch.Envelopes.Add(Position("bench-car", (ulong)j));
            }

            payloads.Add(batch.ToByteArray());
        }

        var topic = Topics.ForEnvelope("bench-car", PriorityClass.Telemetry, "gnss");
        var stats = fleet.Stats;
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var watch = Stopwatch.StartNew();
        using var slots = new SemaphoreSlim(window);
        var inFlight = new List<Task>();
        foreach (var payload in payloads)
        {
            await slots.WaitAsync();
            inFlight.Add(PublishAsync(client, topic, payload, slots));
        }

        await Task.WhenAll(inFlight);
        while (stats.EnvelopesStored + stats.Duplicates < messages)
        {
            if (watch.Elapsed > TimeSpan.FromMinutes(10))
            {
                throw new TimeoutException(Invariant($"only {stats.EnvelopesStored} of {messages} stored in 10 minutes"));
            }

            await Task.Delay(5);
        }

        var seconds = watch.Elapsed.TotalSeconds;
        var cpuSeconds = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds;
        await client.DisconnectAsync();
        if (print)
        {
            Console.WriteLine(Invariant($"drain {(tls ? "mTLS     " : "plaintext")} {messages} envelopes stored in {seconds:0.00} s = {messages / seconds,8:0} /s, {cpuSeconds:0.00} CPU-s"));
        }

        return messages / seconds;
    }

    /// <summary>Seconds until every device is connected.</summary>
    private static async Task<double> StormAsync(string root, int devices, bool print, bool tls)
    {
        await using var fleet = await Fleet.StartAsync(Path.Combine(root, Guid.NewGuid().ToString("N")), tls);
        var issue = Stopwatch.StartNew();
        var certificates = Enumerable.Range(1, devices).Select(i => tls ? fleet.IssueDevice(DeviceId(i)) : null).ToList();
        var issueSeconds = issue.Elapsed.TotalSeconds;
        var clients = Enumerable.Range(1, devices).Select(_ => new MqttClientFactory().CreateMqttClient()).ToList();
        var retries = 0;
        try
        {
            var cpu = Process.GetCurrentProcess().TotalProcessorTime;
            var watch = Stopwatch.StartNew();
            await Task.WhenAll(clients.Select(async (client, i) =>
            {
                // A device retries a connect that failed under the storm, as the gateway's uplink does.
                while (true)
                {
                    try
                    {
                        var result = await client.ConnectAsync(fleet.ClientOptions(DeviceId(i + 1), certificates[i]));
                        if (result.ResultCode == MqttClientConnectResultCode.Success)
                        {
                            return;
                        }
                    }
                    catch (Exception ex) when (ex is MQTTnet.Exceptions.MqttCommunicationException or OperationCanceledException)
                    {
                    }

                    Interlocked.Increment(ref retries);
                    if (watch.Elapsed > TimeSpan.FromMinutes(5))
                    {
                        throw new TimeoutException($"{DeviceId(i + 1)} could not connect in 5 minutes");
                    }

                    await Task.Delay(Random.Shared.Next(200, 1000));
                }
            }));
            var seconds = watch.Elapsed.TotalSeconds;
            var cpuSeconds = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds;
            if (print)
            {
                Console.WriteLine(Invariant($"storm {(tls ? "mTLS     " : "plaintext")} {devices} devices connected in {seconds:0.00} s = {devices / seconds,6:0} connects/s, {cpuSeconds:0.00} CPU-s ({cpuSeconds * 1000 / devices:0.0} CPU-ms per device, both ends), {retries} retried connects{(tls ? Invariant($"; issuing the certificates took {issueSeconds:0.0} s, not timed") : string.Empty)}"));
            }

            return seconds;
        }
        finally
        {
            await Task.WhenAll(clients.Select(async c =>
            {
                try
                {
                    await c.DisconnectAsync();
                }
                catch (Exception ex) when (ex is MQTTnet.Exceptions.MqttCommunicationException or OperationCanceledException or InvalidOperationException)
                {
                }
            }));
            clients.ForEach(c => c.Dispose());
            certificates.ForEach(c => c?.Dispose());
        }
    }

    private static string DeviceId(int i) => Invariant($"storm-{i:D5}");

    private static async Task PublishAsync(IMqttClient client, string topic, byte[] payload, SemaphoreSlim slots)
    {
        try
        {
            var result = await client.PublishAsync(new MqttApplicationMessageBuilder().WithTopic(topic).WithPayload(payload)
                .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build());
            if (!result.IsSuccess)
            {
                throw new InvalidOperationException($"publish refused: {result.ReasonCode}");
            }
        }
        finally
        {
            slots.Release();
        }
    }

    private static Envelope Position(string deviceId, ulong sequence) => new()
    {
        MessageId = Guid.CreateVersion7().ToString(),
        DeviceId = deviceId,
        Stream = "gnss",
        Sequence = sequence,
        CapturedAt = Timestamp.FromDateTimeOffset(TimeProvider.System.GetUtcNow()),
        TimeSource = TimeSource.Gnss,
        Priority = PriorityClass.Telemetry,
        Position = new Position { FixTime = Timestamp.FromDateTimeOffset(TimeProvider.System.GetUtcNow()), Latitude = 51.5, Longitude = -0.12, Mode = FixMode._3D, SatellitesUsed = 9 },
    };

    private static int Option(string[] args, string name, int fallback) =>
        OptionString(args, name) is { } value ? int.Parse(value, CultureInfo.InvariantCulture) : fallback;

    private static string? OptionString(string[] args, string name)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    /// <summary>FleetControl in this process, with mutual TLS or the development plaintext override.</summary>
    private sealed class Fleet : IAsyncDisposable
    {
        private readonly WebApplication _app;
        private readonly int _port;
        private readonly bool _tls;

        private Fleet(WebApplication app, int port, bool tls)
        {
            _app = app;
            _port = port;
            _tls = tls;
        }

        public IngestStats Stats => _app.Services.GetRequiredService<IngestStats>();

        private CertificateAuthority Authority => _app.Services.GetRequiredService<CertificateAuthority>();

        public static async Task<Fleet> StartAsync(string directory, bool tls)
        {
            var port = HarnessSupport.FreePort();
            var builder = FleetControlHost.CreateBuilder(
            [
                $"--FleetControl:DataDirectory={directory}",
                "--FleetControl:HttpPort=0",
                "--FleetControl:GrpcPort=0",
                $"--Identity:DevelopmentPlaintext={(tls ? "false" : "true")}",
                $"--Mqtt:Port={port.ToString(CultureInfo.InvariantCulture)}",
                "--Logging:LogLevel:Default=Error",
            ]);
            var app = builder.Build();
            FleetControlHost.Map(app);
            await app.StartAsync();
            await app.Services.GetRequiredService<FleetControl.Ingest.MqttIngestClient>().Subscribed.WaitAsync(TimeSpan.FromMinutes(1));
            return new Fleet(app, port, tls);
        }

        /// <summary>A device certificate with its key, issued as enrolment would (a CSR to the CA).</summary>
        public X509Certificate2 IssueDevice(string deviceId)
        {
            using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            using var issued = Authority.IssueDeviceCertificate(deviceId, DeviceCertificates.CreateSigningRequestPem(deviceId, key));
            return DeviceCertificates.WithPrivateKey(issued, key);
        }

        public MqttClientOptions ClientOptions(string clientId, X509Certificate2? certificate)
        {
            var builder = new MqttClientOptionsBuilder()
                .WithTcpServer("127.0.0.1", _port)
                .WithClientId(clientId)
                .WithProtocolVersion(MqttProtocolVersion.V500)
                .WithCleanStart(true)
                .WithKeepAlivePeriod(TimeSpan.FromMinutes(2))
                .WithTimeout(TimeSpan.FromSeconds(30));
            if (_tls)
            {
                var root = Authority.Root;
                builder = builder.WithTlsOptions(tls => tls.UseTls()
                    .WithCertificateValidationHandler(e => ServerCertificateCheck.IsTrusted(e.Certificate, e.SslPolicyErrors, root))
                    .WithClientCertificates([certificate!]));
            }

            return builder.Build();
        }

        public async ValueTask DisposeAsync()
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }
}
