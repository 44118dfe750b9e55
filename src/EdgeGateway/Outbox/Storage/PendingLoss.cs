namespace EdgeGateway.Outbox.Storage;

/// <summary>Drops of one class and reason not yet reported to FleetControl (coalesced per interval).</summary>
internal sealed class PendingLoss
{
    public ulong Count { get; set; }

    /// <summary>Earliest captured-at (Unix ms) among the dropped messages.</summary>
    public long FirstCapturedMs { get; set; } = long.MaxValue;

    /// <summary>Latest captured-at (Unix ms) among the dropped messages.</summary>
    public long LastCapturedMs { get; set; } = long.MinValue;

    /// <summary>The stream if every drop came from one stream; empty when mixed; null before the first.</summary>
    public string? Stream { get; set; }

    /// <summary>Adds drops; a null capture time or stream (a damaged message's) leaves that part of the report as it is.</summary>
    public void Add(ulong count, long? capturedMs, string? stream)
    {
        Count += count;
        if (capturedMs is { } at)
        {
            FirstCapturedMs = Math.Min(FirstCapturedMs, at);
            LastCapturedMs = Math.Max(LastCapturedMs, at);
        }

        if (stream is not null)
        {
            Stream = Stream is null || Stream == stream ? stream : string.Empty;
        }
    }
}
