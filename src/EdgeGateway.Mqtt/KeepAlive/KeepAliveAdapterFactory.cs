using MQTTnet;
using MQTTnet.Adapter;
using MQTTnet.Diagnostics.Logger;
using MQTTnet.Implementations;

namespace EdgeGateway.Mqtt.KeepAlive;

/// <summary>
/// Gives an MQTTnet client a keep-alive that sleeps between pings (see <see cref="KeepAliveChannelAdapter"/>).
/// Create the client with this factory and connect with <c>KeepAlivePeriod = TimeSpan.Zero</c>; the
/// period given here is what the broker is told and what the pinger keeps.
/// </summary>
public sealed class KeepAliveAdapterFactory : IMqttClientAdapterFactory
{
    private readonly MqttClientAdapterFactory _inner = new();
    private readonly TimeSpan _keepAlive;
    private readonly TimeProvider _time;

    /// <summary>A factory whose connections keep <paramref name="keepAlive"/>.</summary>
    /// <param name="keepAlive">The keep-alive period sent in CONNECT (whole seconds, rounded up).</param>
    /// <param name="time">The pinger's clock: the system clock, since it is about a real socket and a real broker.</param>
    public KeepAliveAdapterFactory(TimeSpan keepAlive, TimeProvider time)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(keepAlive, TimeSpan.Zero);
        _keepAlive = keepAlive;
        _time = time;
    }

    /// <inheritdoc />
    public IMqttChannelAdapter CreateClientAdapter(MqttClientOptions options, MqttPacketInspector packetInspector, IMqttNetLogger logger)
    {
        if (options.KeepAlivePeriod != TimeSpan.Zero)
        {
            throw new InvalidOperationException("Connect with KeepAlivePeriod zero: the keep-alive adapter keeps the link alive, not MQTTnet's loop.");
        }

        return new KeepAliveChannelAdapter(_inner.CreateClientAdapter(options, packetInspector, logger), _keepAlive, _time);
    }
}
