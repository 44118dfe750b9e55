namespace EdgeGateway.Outbox.Leasing;

/// <summary>A message handed to the uplink and not yet acknowledged.</summary>
/// <param name="ClassIndex">Its class (index into <see cref="OutboxClassDefaults.All"/>).</param>
/// <param name="DeadlineMs">Unix ms after which it may be leased again.</param>
/// <param name="Size">Its accounted size in bytes.</param>
internal readonly record struct OutboxLease(int ClassIndex, long DeadlineMs, long Size);
