using System.Buffers;
using EdgeGateway.Simulators.Outputs;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace EdgeGateway.Simulators.Gps;

/// <summary>
/// Paces an <see cref="IGpsSentenceSource"/> on a <see cref="TimeProvider"/> and writes each unit to every
/// output. Unit n is due at start + n / rate and stamped start + n × speed factor / rate (start aligned to
/// the whole second), so the route's clock is exact and deterministic under a fake time provider; if the
/// process stalls, missed units are caught up in a burst of at most one second's worth and the rest are
/// skipped (and logged).
/// </summary>
internal sealed class GpsSimulator(
    IGpsSentenceSource source,
    GpsSimulatorOptions options,
    IReadOnlyList<IByteOutput> outputs,
    TimeProvider timeProvider,
    ILogger? logger = null)
{
    private static readonly TimeSpan MinimumWait = TimeSpan.FromMilliseconds(1);
    private readonly ILogger _logger = logger ?? NullLogger.Instance;
    private long _units;
    private long _fixes;
    private long _sentences;
    private long _bytes;

    /// <summary>Position fixes produced (route epochs, or replayed GGA/RMC lines).</summary>
    public long FixesProduced => Interlocked.Read(ref _fixes);

    /// <summary>NMEA sentences (lines) produced.</summary>
    public long SentencesProduced => Interlocked.Read(ref _sentences);

    /// <summary>Units produced (epochs or lines); what <see cref="GpsSimulatorOptions.Count"/> limits.</summary>
    public long UnitsProduced => Interlocked.Read(ref _units);

    /// <summary>Bytes produced (before any output drops them).</summary>
    public long BytesProduced => Interlocked.Read(ref _bytes);

    /// <summary>Counters of the simulator and its outputs as <c>key=value</c> pairs.</summary>
    public string Counters =>
        string.Join(' ', new[] { $"fixes={FixesProduced} sentences={SentencesProduced} bytes={BytesProduced}" }.Concat(outputs.Select(o => o.Counters)));

    /// <summary>Runs until cancelled, until <see cref="GpsSimulatorOptions.Count"/> units, or until the source ends.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        if (!(options.Rate > 0) || !(options.SpeedFactor > 0))
        {
            throw new ArgumentOutOfRangeException(nameof(options), "rate and speed factor must be positive");
        }

        var rate = options.Rate;
        var simulatedPerUnit = TimeSpan.FromSeconds(options.SpeedFactor / rate);
        var start = timeProvider.GetUtcNow();
        var clockStart = options.AlignToWholeSecond
            ? new DateTimeOffset(start.Ticks - (start.Ticks % TimeSpan.TicksPerSecond), TimeSpan.Zero)
            : start;

        // Unit n is due at clockStart + n / rate (wall time). Units already due at start are skipped but
        // the latest, which goes out at once; from then on each leaves on its due time, so a fix stamped
        // 18:00:01.00 is sent at 18:00:01.00 rather than up to a period late.
        long DueCount(DateTimeOffset now) => (long)Math.Floor(((now - clockStart).Ticks * rate / TimeSpan.TicksPerSecond) + 1e-9) + 1;
        DateTimeOffset DueAt(long unit) => clockStart + TimeSpan.FromTicks((long)Math.Ceiling(unit * TimeSpan.TicksPerSecond / rate));

        var maxBurst = (long)Math.Ceiling(rate) + 1;
        var buffer = new ArrayBufferWriter<byte>(4096);
        var next = DueCount(start) - 1;
        Log.Started(_logger, source.Description, rate, options.SpeedFactor);
        try
        {
            while (true)
            {
                var due = DueCount(timeProvider.GetUtcNow());
                if (due - next > maxBurst)
                {
                    Log.FellBehind(_logger, due - next - maxBurst);
                    next = due - maxBurst;
                }

                for (; next < due; next++)
                {
                    if (options.Count is { } count && UnitsProduced >= count)
                    {
                        return;
                    }

                    var simulatedElapsed = simulatedPerUnit * next;
                    buffer.ResetWrittenCount();
                    if (!source.TryWriteNext(clockStart + simulatedElapsed, simulatedElapsed, buffer, out var unit))
                    {
                        Log.SourceEnded(_logger, source.Description);
                        return;
                    }

                    foreach (var output in outputs)
                    {
                        output.Write(buffer.WrittenSpan);
                    }

                    Interlocked.Add(ref _bytes, buffer.WrittenCount);
                    Interlocked.Add(ref _sentences, unit.Sentences);
                    Interlocked.Add(ref _fixes, unit.Fixes);
                    Interlocked.Increment(ref _units);
                }

                if (options.Count is { } limit && UnitsProduced >= limit)
                {
                    return;
                }

                var wait = DueAt(next) - timeProvider.GetUtcNow();
                if (wait < MinimumWait)
                {
                    wait = MinimumWait;
                }

                await Task.Delay(wait, timeProvider, cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Normal shutdown.
        }
        finally
        {
            Log.Stopped(_logger, FixesProduced, SentencesProduced, BytesProduced);
        }
    }
}
