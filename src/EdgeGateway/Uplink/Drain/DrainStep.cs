using EdgeGateway.Outbox;

namespace EdgeGateway.Uplink.Drain;

/// <summary>One decision of <see cref="DrainScheduler"/>.</summary>
/// <param name="Action">What to do.</param>
/// <param name="Count">For <see cref="DrainAction.Lease"/>/<see cref="DrainAction.Probe"/>: how many to lease.</param>
/// <param name="Due">For <see cref="DrainAction.Wait"/>: when to wake at the latest (<see cref="Timeout.InfiniteTimeSpan"/> = only on an event).</param>
/// <param name="WantsOutboxSignal">For <see cref="DrainAction.Wait"/>: whether a new outbox message should wake the loop.</param>
/// <param name="Messages">For <see cref="DrainAction.SendHeld"/>: the held messages to send.</param>
internal readonly record struct DrainStep(
    DrainAction Action,
    int Count = 0,
    TimeSpan Due = default,
    bool WantsOutboxSignal = false,
    IReadOnlyList<OutboxMessage>? Messages = null);
