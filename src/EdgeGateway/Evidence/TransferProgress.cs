namespace EdgeGateway.Evidence;

/// <summary>Live progress of one recording's offload, for dock status.</summary>
internal sealed class TransferProgress(int bay, string evidenceId, string recordingId, long total, bool critical)
{
    public int Bay { get; } = bay;

    public string EvidenceId { get; } = evidenceId;

    public string RecordingId { get; } = recordingId;

    public long BytesTotal { get; } = total;

    public bool Critical { get; } = critical;

    public string State { get; set; } = "queued";

    public long BytesDone { get; set; }

    /// <summary>Where the current phase (copy or upload) started, for the rate.</summary>
    public long PhaseStartBytes { get; set; }

    public long PhaseStartTimestamp { get; set; }

    public double MegabytesPerSecond { get; set; }

    public uint EtaSeconds => MegabytesPerSecond <= 0 || BytesDone >= BytesTotal
        ? 0
        : (uint)Math.Min(uint.MaxValue, (BytesTotal - BytesDone) / (MegabytesPerSecond * 1024 * 1024));
}
