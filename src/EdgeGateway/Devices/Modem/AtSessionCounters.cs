namespace EdgeGateway.Devices.Modem;

/// <summary>What an AT session did and rejected; shared across reconnections, read by health.</summary>
internal sealed class AtSessionCounters
{
    private long _commands;
    private long _errors;
    private long _timeouts;
    private long _unsolicited;
    private long _unsolicitedDropped;
    private long _unmatchedFinals;

    /// <summary>Line framing counts (lines, rejects by reason).</summary>
    public AtReaderCounters Reader { get; } = new();

    /// <summary>Commands sent.</summary>
    public long Commands => Interlocked.Read(ref _commands);

    /// <summary>Commands that ended in ERROR, +CME ERROR or +CMS ERROR.</summary>
    public long Errors => Interlocked.Read(ref _errors);

    /// <summary>Commands with no final result code in time.</summary>
    public long Timeouts => Interlocked.Read(ref _timeouts);

    /// <summary>Unsolicited result codes dispatched.</summary>
    public long Unsolicited => Interlocked.Read(ref _unsolicited);

    /// <summary>Unsolicited result codes dropped because nobody took them in time (the queue was full).</summary>
    public long UnsolicitedDropped => Interlocked.Read(ref _unsolicitedDropped);

    /// <summary>Final result codes with no command waiting (late after a timeout, or noise).</summary>
    public long UnmatchedFinals => Interlocked.Read(ref _unmatchedFinals);

    public void CountCommand() => Interlocked.Increment(ref _commands);

    public void CountError() => Interlocked.Increment(ref _errors);

    public void CountTimeout() => Interlocked.Increment(ref _timeouts);

    public void CountUnsolicited() => Interlocked.Increment(ref _unsolicited);

    public void CountUnsolicitedDropped() => Interlocked.Increment(ref _unsolicitedDropped);

    public void CountUnmatchedFinal() => Interlocked.Increment(ref _unmatchedFinals);

    /// <summary>Adds the session's counters to a health report under <paramref name="prefix"/> (e.g. <c>tetra.at</c>).</summary>
    public void Contribute(IDictionary<string, ulong> counters, string prefix)
    {
        counters[$"{prefix}.lines"] = (ulong)Reader.Lines;
        foreach (var reason in Enum.GetValues<AtRejectReason>())
        {
            if (reason != AtRejectReason.None)
            {
                counters[$"{prefix}.rejected.{AtReaderCounters.KeyOf(reason)}"] = (ulong)Reader.Rejected(reason);
            }
        }

        counters[$"{prefix}.commands"] = (ulong)Commands;
        counters[$"{prefix}.errors"] = (ulong)Errors;
        counters[$"{prefix}.timeouts"] = (ulong)Timeouts;
        counters[$"{prefix}.unsolicited"] = (ulong)Unsolicited;
        counters[$"{prefix}.unsolicited_dropped"] = (ulong)UnsolicitedDropped;
        counters[$"{prefix}.rejected.unmatched_final"] = (ulong)UnmatchedFinals;
    }
}
