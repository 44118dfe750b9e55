namespace EdgeGateway.Devices.Gnss.Nmea;

/// <summary>
/// Counts of what the NMEA framer accepted and rejected. Written by the parsing loop, read by the health
/// reporter on another thread, hence the interlocked operations.
/// </summary>
internal sealed class NmeaReaderCounters
{
    private readonly long[] _rejected = new long[Enum.GetValues<NmeaRejectReason>().Length];
    private long _accepted;

    /// <summary>Sentences that passed framing and checksum and are of a decoded type.</summary>
    public long Accepted => Interlocked.Read(ref _accepted);

    public long Rejected(NmeaRejectReason reason) => Interlocked.Read(ref _rejected[(int)reason]);

    public void CountAccepted() => Interlocked.Increment(ref _accepted);

    public void CountRejected(NmeaRejectReason reason) => Interlocked.Increment(ref _rejected[(int)reason]);

    /// <summary>Health counter key for a reason, e.g. <c>bad_checksum</c>.</summary>
    public static string KeyOf(NmeaRejectReason reason) => reason switch
    {
        NmeaRejectReason.Garbage => "garbage",
        NmeaRejectReason.Overlong => "overlong",
        NmeaRejectReason.BadChecksum => "bad_checksum",
        NmeaRejectReason.MissingChecksum => "missing_checksum",
        NmeaRejectReason.Malformed => "malformed",
        NmeaRejectReason.Proprietary => "proprietary",
        NmeaRejectReason.Unsupported => "unsupported",
        _ => "other",
    };
}
