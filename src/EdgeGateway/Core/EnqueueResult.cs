namespace EdgeGateway.Core;

/// <summary>What happened to an observation handed to <see cref="IObservationSink"/>.</summary>
internal enum EnqueueResult
{
    /// <summary>Stored durably; it will be delivered or counted as dropped.</summary>
    Accepted,

    /// <summary>Not stored because a deadband judged it redundant (telemetry thinning). Counted.</summary>
    Thinned,

    /// <summary>Not stored because its class is at its disk quota and may not evict. Counted and alarmed.</summary>
    RefusedQuota,

    /// <summary>Not stored because it had already expired. Counted.</summary>
    RefusedExpired,

    /// <summary>Not stored because the store is unavailable. Counted and alarmed.</summary>
    RefusedStoreUnavailable,

    /// <summary>
    /// Not stored because free disk space is below the configured reserve and this class is among
    /// the first to be refused (lowest classes first). Counted and alarmed.
    /// </summary>
    RefusedDiskReserve,

    /// <summary>
    /// Not stored because the disk is full (a write failed for lack of space): until space returns
    /// only Emergency and Alert are stored, from a reserve kept for them. Counted and alarmed.
    /// </summary>
    RefusedDiskFull,
}
