namespace FleetControl.Mqtt;

/// <summary>Which broker FleetControl ingests from.</summary>
internal enum MqttMode
{
    /// <summary>FleetControl runs its own MQTTnet broker (the default; one machine, a pilot).</summary>
    Embedded,

    /// <summary>An existing broker (mosquitto, a cluster) at <c>Mqtt:Host</c>/<c>Mqtt:Port</c>.</summary>
    External,
}
