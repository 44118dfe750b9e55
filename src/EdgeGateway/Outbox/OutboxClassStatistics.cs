using EdgeGateway.Contracts.V1;

namespace EdgeGateway.Outbox;

/// <summary>One class's queue figures.</summary>
internal sealed record OutboxClassStatistics(
    PriorityClass Priority, long Depth, long Bytes, long OldestUnsentAgeMs, long QuotaBytes, int Leased);
