using System.Diagnostics;

namespace EdgeGateway.Benchmarks.Load;

/// <summary>Counts calls, items and wall time spent in one decorated method. Thread-safe.</summary>
internal sealed class CallTimer
{
    private long _calls;
    private long _items;
    private long _ticks;

    public long Calls => Interlocked.Read(ref _calls);

    public long Items => Interlocked.Read(ref _items);

    public TimeSpan Time => Stopwatch.GetElapsedTime(0, Interlocked.Read(ref _ticks));

    /// <summary>Records one call that started at <paramref name="start"/> (Stopwatch ticks) and ends now.</summary>
    public void Add(long start, int items)
    {
        Interlocked.Increment(ref _calls);
        Interlocked.Add(ref _items, items);
        Interlocked.Add(ref _ticks, Stopwatch.GetTimestamp() - start);
    }

    public void Reset()
    {
        Interlocked.Exchange(ref _calls, 0);
        Interlocked.Exchange(ref _items, 0);
        Interlocked.Exchange(ref _ticks, 0);
    }

    public override string ToString() => FormattableString.Invariant(
        $"{Calls} calls, {Items} items, {Time.TotalSeconds:F2} s ({(Calls == 0 ? 0 : Time.TotalMilliseconds / Calls):F1} ms/call)");
}
