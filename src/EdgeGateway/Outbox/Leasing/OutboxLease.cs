namespace EdgeGateway.Outbox.Leasing;

/// <summary>A message handed to the uplink and not yet deleted.</summary>
/// <param name="ClassIndex">Its class (index into <see cref="OutboxClassDefaults.All"/>).</param>
/// <param name="DeadlineMs">Unix ms after which it may be leased again (<see cref="long.MaxValue"/> once acknowledged).</param>
/// <param name="Size">Its accounted size in bytes.</param>
/// <param name="Acknowledged">FleetControl has stored it; it waits only to be deleted and is never leased again.</param>
internal readonly record struct OutboxLease(int ClassIndex, long DeadlineMs, long Size, bool Acknowledged = false);
