using EdgeGateway.Contracts.V1;

namespace EdgeGateway.Outbox;

/// <summary>Cumulative drops of one class for one reason ("expired", "evicted", "refused", "thinned").</summary>
internal sealed record OutboxDropStatistics(PriorityClass Priority, string Reason, ulong Count);
