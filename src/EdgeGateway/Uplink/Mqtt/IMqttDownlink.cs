namespace EdgeGateway.Uplink.Mqtt;

/// <summary>
/// Traffic FleetControl sends down to this gateway over the MQTT session (commands, and whatever follows).
/// The session subscribes QoS 1 to <see cref="TopicFilter"/> on every connect and hands each matching
/// message to <see cref="HandleAsync"/> off the receive loop; the message is acknowledged to the broker
/// (PUBACK) only when that returns, so one cut short by a lost link or a killed process is redelivered.
/// </summary>
internal interface IMqttDownlink
{
    /// <summary>The subscription filter (under this device's prefix).</summary>
    string TopicFilter { get; }

    /// <summary>True when <paramref name="topic"/> is one of this downlink's.</summary>
    bool Matches(string topic);

    /// <summary>Handles one message; <paramref name="publish"/> sends a QoS 1 reply on the same connection.</summary>
    Task HandleAsync(string topic, ReadOnlyMemory<byte> payload, Func<string, byte[], CancellationToken, Task> publish, CancellationToken cancellationToken);
}
