namespace EdgeGateway.Devices.Modem;

/// <summary>
/// What the AT reader accepted and rejected. Written by the read loop, read by health on another thread,
/// hence the interlocked operations.
/// </summary>
internal sealed class AtReaderCounters
{
    private readonly long[] _rejected = new long[Enum.GetValues<AtRejectReason>().Length];
    private long _lines;

    /// <summary>Well-formed lines (prompts included).</summary>
    public long Lines => Interlocked.Read(ref _lines);

    /// <summary>Lines rejected for <paramref name="reason"/>.</summary>
    public long Rejected(AtRejectReason reason) => Interlocked.Read(ref _rejected[(int)reason]);

    /// <summary>All rejected lines.</summary>
    public long RejectedTotal
    {
        get
        {
            long total = 0;
            for (var i = 1; i < _rejected.Length; i++)
            {
                total += Interlocked.Read(ref _rejected[i]);
            }

            return total;
        }
    }

    public void CountLine() => Interlocked.Increment(ref _lines);

    public void CountRejected(AtRejectReason reason) => Interlocked.Increment(ref _rejected[(int)reason]);

    /// <summary>Health counter key of a reason, e.g. <c>control_character</c>.</summary>
    public static string KeyOf(AtRejectReason reason) => reason switch
    {
        AtRejectReason.ControlCharacter => "control_character",
        AtRejectReason.Overlong => "overlong",
        _ => "other",
    };
}
