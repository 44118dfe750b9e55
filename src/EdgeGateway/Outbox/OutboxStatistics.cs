using EdgeGateway.Contracts.V1;

namespace EdgeGateway.Outbox;

/// <summary>A point-in-time view of the outbox for the health report and the local health file.</summary>
internal sealed record OutboxStatistics(
    DateTimeOffset At,
    DurabilityState Durability,
    string? QuarantinedFile,
    IReadOnlyList<OutboxClassStatistics> Classes,
    IReadOnlyList<OutboxDropStatistics> Drops,
    ulong AcceptedTotal,
    ulong AcknowledgedTotal,
    long FreeDiskBytes,
    long DataFileBytes,
    long LogFileBytes,
    int Leased);
