using System.Diagnostics;
using System.Globalization;
using System.IO.Ports;
using System.Text;
using EdgeGateway.Contracts.Tetra;
using EdgeGateway.Core;
using EdgeGateway.Devices.Tetra;
using EdgeGateway.Simulators.Modem;
using EdgeGateway.Transport;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace EdgeGateway.Benchmarks.Modem;

/// <summary>
/// <c>sds [--count 400] [--bytes 100]</c> (<c>sds --compact</c>: <see cref="CompactSdsHarness"/>): SDS type 4 sends through a real pseudo-terminal to the simulated TETRA
/// terminal (no reply delay, no air time), one after another, as the gateway's <see cref="TetraAdapter"/> does them
/// (paced queue with no gap, <c>AT+CTSDS</c>, <c>AT+CMGS</c>, the <c>&gt;</c> prompt, hex, Ctrl-Z, <c>+CMGS</c> and
/// <c>OK</c> through <c>AtSession</c>), against the baseline of the same bytes written raw to the same kind of pty
/// (opened as the gateway's serial connector opens it: System.IO.Ports for the line settings, then the same
/// file-descriptor stream) and the replies scanned for the same final result codes, in the same run.
/// </summary>
internal static class SdsHarness
{
    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Contains("--compact"))
        {
            return await CompactSdsHarness.RunAsync(args).ConfigureAwait(false);
        }

        var count = HarnessSupport.Option(args, "--count", 400);
        var size = HarnessSupport.Option(args, "--bytes", 100);
        var payload = new byte[size];
        new Random(3).NextBytes(payload);
        var folder = Path.Combine(Path.GetTempPath(), "sds-bench-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(folder);
        try
        {
            Console.WriteLine($"{count} SDS of {size} user-data bytes ({(size + 3) * 8} bits with the SDS-TL header) each, sequential, over a pty");
            var raw = await RawAsync(folder, count, payload).ConfigureAwait(false);
            var adapter = await AdapterAsync(folder, count, payload).ConfigureAwait(false);
            Print("raw pty write + read (baseline)", raw);
            Print("TetraAdapter.SendAsync", adapter);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"ratio adapter/raw: p50 {Percentile(adapter.Latencies, 50) / Percentile(raw.Latencies, 50):F2}, p99 {Percentile(adapter.Latencies, 99) / Percentile(raw.Latencies, 99):F2}, throughput {adapter.PerSecond / raw.PerSecond:F2}"));
            return 0;
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static void Print(string name, Result result) =>
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{name,-34} {result.PerSecond,8:F0} SDS/s   p50 {Percentile(result.Latencies, 50),7:F3} ms   p99 {Percentile(result.Latencies, 99),7:F3} ms"));

    private static double Percentile(List<double> values, int p)
    {
        var sorted = values.Order().ToList();
        return sorted[Math.Clamp((int)Math.Ceiling(p / 100.0 * sorted.Count) - 1, 0, sorted.Count - 1)];
    }

    private static (DuplexPty Pty, TetraTerminal Terminal, CancellationTokenSource Stop, Task Loop, string Link) Terminal(string folder, string name)
    {
        var link = Path.Combine(folder, name);
        TetraTerminal? terminal = null;
        var pty = DuplexPty.Open(link, bytes => terminal?.Feed(bytes));
        terminal = new TetraTerminal(new TetraTerminalOptions { ReplyDelay = TimeSpan.Zero, AirTime = TimeSpan.Zero, Echo = true }, bytes => pty.Write(bytes.Span), TimeProvider.System);
        var stop = new CancellationTokenSource();
        return (pty, terminal, stop, terminal.RunAsync(stop.Token), link);
    }

    private static async Task<Result> RawAsync(string folder, int count, byte[] payload)
    {
        var (pty, _, stop, loop, link) = Terminal(folder, "raw0");
        // Opened as the gateway's serial connector opens a line: System.IO.Ports sets the tty raw, the bytes go
        // through the same file-descriptor stream; nothing else (no session, no queue, no parsing).
        using var port = new SerialPort(link, 38400) { Handshake = Handshake.None };
        port.Open();
        await using var stream = TtyStream.Open(link);
        var pdu = SdsTl.EncodeTransfer(SdsEnvelope.Pid, 1, 0, payload);
        var select = Encoding.ASCII.GetBytes(PeiCommands.SelectSdsType4 + "\r");
        var cmgs = Encoding.ASCII.GetBytes($"AT+CMGS=9000,{pdu.Length * 8}\r");
        var data = Encoding.ASCII.GetBytes(SdsTl.ToHex(pdu) + "\x1A");
        var buffer = new byte[4096];
        var latencies = new List<double>(count);
        var total = Stopwatch.StartNew();
        for (var i = 0; i < count; i++)
        {
            var start = Stopwatch.GetTimestamp();
            await stream.WriteAsync(select).ConfigureAwait(false);
            await ReadUntilAsync(stream, buffer, "OK\r\n").ConfigureAwait(false);
            await stream.WriteAsync(cmgs).ConfigureAwait(false);
            await ReadUntilAsync(stream, buffer, "> ").ConfigureAwait(false);
            await stream.WriteAsync(data).ConfigureAwait(false);
            await ReadUntilAsync(stream, buffer, "OK\r\n").ConfigureAwait(false);
            latencies.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        }

        var elapsed = total.Elapsed;
        port.Close();
        await stop.CancelAsync().ConfigureAwait(false);
        await loop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        pty.Dispose();
        return new Result(latencies, count / elapsed.TotalSeconds);
    }

    /// <summary>Reads until the bytes read end with <paramref name="end"/> (the device answers one exchange at a time).</summary>
    private static async Task ReadUntilAsync(Stream stream, byte[] buffer, string end)
    {
        var seen = new StringBuilder();
        while (true)
        {
            var n = await stream.ReadAsync(buffer).ConfigureAwait(false);
            if (n == 0)
            {
                throw new IOException("pty closed");
            }

            seen.Append(Encoding.ASCII.GetString(buffer, 0, n));
            if (seen.ToString().EndsWith(end, StringComparison.Ordinal))
            {
                return;
            }
        }
    }

    private static async Task<Result> AdapterAsync(string folder, int count, byte[] payload)
    {
        var (pty, _, stop, loop, link) = Terminal(folder, "tetra0");
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

        var latencies = new List<double>(count);
        var total = Stopwatch.StartNew();
        for (var i = 0; i < count; i++)
        {
            var start = Stopwatch.GetTimestamp();
            var result = await adapter.SendAsync("9000", SdsEnvelope.Pid, payload, requestReport: false, urgent: false, CancellationToken.None).ConfigureAwait(false);
            if (result.Outcome != SdsSendOutcome.Sent)
            {
                throw new InvalidOperationException($"send {i}: {result.Outcome} {result.Detail}");
            }

            latencies.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        }

        var elapsed = total.Elapsed;
        await adapter.StopAsync(CancellationToken.None).ConfigureAwait(false);
        await stop.CancelAsync().ConfigureAwait(false);
        await loop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        pty.Dispose();
        return new Result(latencies, count / elapsed.TotalSeconds);
    }

    private sealed record Result(List<double> Latencies, double PerSecond);

    private sealed class NullSink : IObservationSink
    {
        public ValueTask<EnqueueResult> AcceptAsync(Contracts.V1.Envelope draft, CancellationToken cancellationToken) => ValueTask.FromResult(EnqueueResult.Accepted);
    }
}
