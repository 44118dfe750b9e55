using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using EdgeGateway.Contracts.Tetra;
using EdgeGateway.Contracts.V1;
using EdgeGateway.Core;
using EdgeGateway.Devices.Tetra;
using EdgeGateway.Simulators.Modem;
using EdgeGateway.Transport;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace EdgeGateway.Benchmarks.Modem;

/// <summary>
/// <c>sds --compact [--count 300]</c>: urgent envelopes through the <see cref="TetraAdapter"/> to the simulated terminal on
/// a real pty (no reply delay, no air time, pacing off), one after another. Baseline: an Emergency that fits one plain
/// envelope SDS (what TETRA carried before). Compact: a realistic ANPR hotlist hit (about 500 protobuf bytes, too large
/// for one SDS, so it used to wait for LTE), encoded with <see cref="SdsCompactEnvelope"/> and sent as its segments. Also
/// the CPU cost of the encoding (encode and decode per envelope) against protobuf's own <c>ToByteArray</c>/<c>ParseFrom</c>.
/// </summary>
internal static class CompactSdsHarness
{
    public static async Task<int> RunAsync(string[] args)
    {
        var count = HarnessSupport.Option(args, "--count", 300);
        var emergency = Emergency();
        var hit = Hit();
        var plain = SdsCompactEnvelope.TryEncodeForSds(emergency)!;
        var compact = SdsCompactEnvelope.TryEncodeForSds(hit)!;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"baseline: Emergency, {emergency.CalculateSize()} protobuf bytes -> {plain.Count} SDS ({plain.Sum(s => s.Length + SdsTl.TransferHeaderLength)} bytes)"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"compact:  ANPR hit, {hit.CalculateSize()} protobuf bytes -> {compact.Count} SDS ({compact.Sum(s => s.Length + SdsTl.TransferHeaderLength)} bytes, payload {SdsCompactEnvelope.EncodePayload(hit).Length})"));

        var (encodeUs, decodeUs, protoEncodeUs, protoDecodeUs) = Cpu(hit, 20_000);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"CPU per envelope: compact encode {encodeUs:F1} us / decode {decodeUs:F1} us; protobuf ToByteArray {protoEncodeUs:F2} us / ParseFrom {protoDecodeUs:F2} us; ratio encode {encodeUs / protoEncodeUs:F0}x decode {decodeUs / protoDecodeUs:F0}x"));

        var folder = Path.Combine(Path.GetTempPath(), "sds-compact-bench-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(folder);
        try
        {
            var link = Path.Combine(folder, "tetra0");
            TetraTerminal? terminal = null;
            using var pty = DuplexPty.Open(link, bytes => terminal?.Feed(bytes));
            terminal = new TetraTerminal(new TetraTerminalOptions { ReplyDelay = TimeSpan.Zero, AirTime = TimeSpan.Zero, Echo = true }, bytes => pty.Write(bytes.Span), TimeProvider.System);
            using var stop = new CancellationTokenSource();
            var loop = terminal.RunAsync(stop.Token);
            var options = new TetraOptions
            {
                Enabled = true,
                Serial = new SerialTransportOptions { PortName = link, BaudRate = 38400 },
                SdsMinInterval = TimeSpan.Zero,
                PollInterval = TimeSpan.FromHours(1),
                SdsQueueCapacity = 10_000,
            };
            using var adapter = new TetraAdapter(Options.Create(options), new SerialByteSourceConnector(options.Serial), new NullSink(), new TetraCounters(), TimeProvider.System, NullLoggerFactory.Instance);
            await adapter.StartAsync(CancellationToken.None).ConfigureAwait(false);
            var wait = Stopwatch.StartNew();
            while (!adapter.IsAvailable)
            {
                if (wait.Elapsed > TimeSpan.FromSeconds(60))
                {
                    throw new TimeoutException("the terminal was not initialised within 60 s");
                }

                await Task.Delay(20).ConfigureAwait(false);
            }

            // Alternate the two so both see the same machine load.
            var baseline = new List<double>(count);
            var compacted = new List<double>(count);
            for (var i = 0; i < count; i++)
            {
                baseline.Add(await SendAsync(adapter, emergency).ConfigureAwait(false));
                compacted.Add(await SendAsync(adapter, hit).ConfigureAwait(false));
            }

            await adapter.StopAsync(CancellationToken.None).ConfigureAwait(false);
            await stop.CancelAsync().ConfigureAwait(false);
            await loop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            Print("Emergency, plain SDS (baseline)", baseline);
            Print("ANPR hit, compact", compacted);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"ratio compact/baseline: envelopes/s {baseline.Average() / compacted.Average():F2} (each takes {compacted.Average() / baseline.Average():F2}x the time), p50 {Percentile(compacted, 50) / Percentile(baseline, 50):F2}; on the air each SDS costs Tetra:SdsMinInterval (default 1 s): {compact.Count} s vs {plain.Count} s per envelope"));
            return 0;
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>Encode the envelope as the gateway does and put each SDS through the adapter; milliseconds.</summary>
    private static async Task<double> SendAsync(TetraAdapter adapter, Envelope envelope)
    {
        var start = Stopwatch.GetTimestamp();
        foreach (var segment in SdsCompactEnvelope.TryEncodeForSds(envelope)!)
        {
            var result = await adapter.SendAsync("9000", SdsEnvelope.Pid, segment, requestReport: false, urgent: true, CancellationToken.None).ConfigureAwait(false);
            if (result.Outcome != SdsSendOutcome.Sent)
            {
                throw new InvalidOperationException($"{result.Outcome} {result.Detail}");
            }
        }

        return Stopwatch.GetElapsedTime(start).TotalMilliseconds;
    }

    private static (double Encode, double Decode, double ProtoEncode, double ProtoDecode) Cpu(Envelope hit, int rounds)
    {
        var payload = SdsCompactEnvelope.EncodePayload(hit);
        var bytes = hit.ToByteArray();
        for (var i = 0; i < 500; i++)
        {
            SdsCompactEnvelope.EncodePayload(hit);
            SdsCompactEnvelope.TryDecodePayload(payload, hit.DeviceId, out _, out _);
        }

        var watch = Stopwatch.StartNew();
        for (var i = 0; i < rounds; i++)
        {
            SdsCompactEnvelope.EncodePayload(hit);
        }

        var encode = watch.Elapsed.TotalMicroseconds / rounds;
        watch.Restart();
        for (var i = 0; i < rounds; i++)
        {
            SdsCompactEnvelope.TryDecodePayload(payload, hit.DeviceId, out _, out _);
        }

        var decode = watch.Elapsed.TotalMicroseconds / rounds;
        watch.Restart();
        for (var i = 0; i < rounds; i++)
        {
            hit.ToByteArray();
        }

        var protoEncode = watch.Elapsed.TotalMicroseconds / rounds;
        watch.Restart();
        for (var i = 0; i < rounds; i++)
        {
            Envelope.Parser.ParseFrom(bytes);
        }

        return (encode, decode, protoEncode, watch.Elapsed.TotalMicroseconds / rounds);
    }

    private static void Print(string name, List<double> latencies) =>
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{name,-34} {1000 / latencies.Average(),8:F0} envelopes/s   p50 {Percentile(latencies, 50),7:F3} ms   p99 {Percentile(latencies, 99),7:F3} ms"));

    private static double Percentile(List<double> values, int p)
    {
        var sorted = values.Order().ToList();
        return sorted[Math.Clamp((int)Math.Ceiling(p / 100.0 * sorted.Count) - 1, 0, sorted.Count - 1)];
    }

    private static Envelope Emergency() => new()
    {
        MessageId = Guid.CreateVersion7().ToString(),
        DeviceId = "vehicle-01",
        Stream = "radio",
        Sequence = 3,
        CapturedAt = Timestamp.FromDateTimeOffset(TimeProvider.System.GetUtcNow()),
        TimeSource = TimeSource.Gnss,
        Priority = PriorityClass.Emergency,
        Event = new DeviceEvent { Type = "emergency", Detail = "TETRA emergency button", Attributes = { ["from"] = "1001", ["status"] = "0" } },
    };

    /// <summary>A hotlist hit as the ANPR processor stores it, image references without the image bytes.</summary>
    private static Envelope Hit()
    {
        var now = TimeProvider.System.GetUtcNow();
        var read = new AnprRead
        {
            ReadId = Guid.CreateVersion7(now).ToString(),
            Vrm = "AB12 CDE",
            NormalisedVrm = "AB12CDE",
            Confidence = 0.93f,
            Country = "GB",
            CameraId = "anpr-front-left",
            Lane = "approaching",
            CameraTime = Timestamp.FromDateTimeOffset(now.AddMilliseconds(-180)),
            ReceivedAt = Timestamp.FromDateTimeOffset(now),
            ReceivedTimeSource = "NTP",
            Latitude = 51.507351,
            Longitude = -0.127758,
            PositionAgeMs = 420,
        };
        foreach (var (kind, size) in new[] { ("plate", 3_100), ("overview", 48_000) })
        {
            read.Images.Add(new AnprImageRef { Kind = kind, Sha256 = Convert.ToHexStringLower(SHA256.HashData(RandomNumberGenerator.GetBytes(size))), Size = (ulong)size });
        }

        var hit = new AnprHit
        {
            Read = read,
            EntryVrm = "AB12CDE",
            List = "PNC-stolen",
            Reason = "Stolen vehicle, occupants believed armed; do not approach, request armed response",
            Match = "exact",
            HotlistVersion = 1_764_583_200_123,
            Markers = { "firearms", "violence", "stolen" },
        };
        return new Envelope
        {
            MessageId = Guid.CreateVersion7(now).ToString(),
            DeviceId = "vehicle-01",
            Stream = "anpr-hits",
            Sequence = 4711,
            CapturedAt = read.CameraTime,
            TimeSource = TimeSource.Local,
            Priority = PriorityClass.Alert,
            ExpiresAt = Timestamp.FromDateTimeOffset(now.AddHours(24)),
            AnprHit = hit,
        };
    }

    private sealed class NullSink : IObservationSink
    {
        public ValueTask<EnqueueResult> AcceptAsync(Envelope draft, CancellationToken cancellationToken) => ValueTask.FromResult(EnqueueResult.Accepted);
    }
}
