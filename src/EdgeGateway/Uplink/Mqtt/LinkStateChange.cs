using EdgeGateway.Contracts.V1;

namespace EdgeGateway.Uplink.Mqtt;

/// <summary>One transition of the link state machine.</summary>
/// <param name="From">State before.</param>
/// <param name="To">State after.</param>
/// <param name="Trigger">What caused it.</param>
/// <param name="Reason">Human-readable detail for logs.</param>
/// <param name="At">When it happened.</param>
internal sealed record LinkStateChange(LinkState From, LinkState To, LinkTrigger Trigger, string Reason, DateTimeOffset At);
