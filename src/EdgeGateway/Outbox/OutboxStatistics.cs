using EdgeGateway.Contracts.V1;

namespace EdgeGateway.Outbox;

/// <summary>A point-in-time view of the outbox for the health report and the local health file.</summary>
/// <remarks>
/// <c>DiskFull</c>: the disk is full and only Emergency and Alert are stored (durability is then
/// Degraded). <c>StoreOpen</c>: false while the store could not be (re)opened; depths are then as last known.
/// </remarks>
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
    int Leased,
    bool DiskFull = false,
    bool StoreOpen = true);
