namespace EdgeGateway.Outbox;

/// <summary>One priority class's settings (<c>Outbox:Classes:{Class}</c>); unset values take the defaults.</summary>
internal sealed class OutboxClassOptions
{
    /// <summary>Time from capture after which a message is worth nothing (counted as expired).</summary>
    public TimeSpan? Expiry { get; set; }

    /// <summary>Disk bytes this class may hold. Telemetry thins then evicts at quota; every other class refuses.</summary>
    public long? QuotaBytes { get; set; }

    /// <summary>Share of each lease batch (0..0.5) kept for this class when it has a backlog, so it is never starved.</summary>
    public double? MinimumShare { get; set; }
}
