using EdgeGateway.Contracts.V1;

namespace EdgeGateway.Outbox;

/// <summary>A priority class's effective settings (configuration merged over defaults).</summary>
internal sealed record OutboxClassSettings(PriorityClass Priority, TimeSpan Expiry, long QuotaBytes, double MinimumShare);
