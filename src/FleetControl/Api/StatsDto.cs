namespace FleetControl.Api;

/// <summary>GET /api/stats: store totals and ingest counters since start-up.</summary>
internal sealed record StatsDto(
    bool IngestConnected,
    long Devices,
    long EnvelopesStored,
    long EnvelopesStoredSinceStart,
    long Duplicates,
    long Rejected,
    long RejectedEnvelopes,
    long RejectedPayloads,
    long AcksSent,
    long AckFailures,
    long Commits,
    long StatusUpdates,
    long RefusedPublishes);
