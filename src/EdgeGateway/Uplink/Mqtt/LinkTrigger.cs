namespace EdgeGateway.Uplink.Mqtt;

/// <summary>What can happen to the link; <see cref="LinkStateMachine"/> maps each to a transition (or none).</summary>
internal enum LinkTrigger
{
    /// <summary>CONNACK received, acks subscribed, online status published.</summary>
    Connected,

    /// <summary>The connection is gone (broker down, network lost, keep-alive timeout).</summary>
    Disconnected,

    /// <summary>A published batch waited longer than the ack timeout for FleetControl's acknowledgement.</summary>
    AcksOverdue,

    /// <summary>The broker refused a publish (or it failed on a live connection).</summary>
    PublishFailed,

    /// <summary>A DeliveryAck arrived.</summary>
    AckReceived,
}
