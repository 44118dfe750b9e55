using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Threading.Channels;
using MQTTnet.Adapter;
using MQTTnet.Formatter;
using MQTTnet.Packets;

namespace EdgeGateway.Tests.Uplink.KeepAlive;

/// <summary>
/// Stands in for MQTTnet's channel adapter under <c>KeepAliveChannelAdapter</c>: records what is sent, hands out the
/// packets a test puts in, and reports the connection closed (null) once it is disconnected.
/// </summary>
internal sealed class ScriptedChannelAdapter : IMqttChannelAdapter
{
    private readonly Channel<MqttPacket?> _incoming = Channel.CreateUnbounded<MqttPacket?>();
    private int _disconnects;

    public ConcurrentQueue<MqttPacket> Sent { get; } = new();

    public int Disconnects => Volatile.Read(ref _disconnects);

    public long BytesReceived => 0;

    public long BytesSent => 0;

    public X509Certificate2 ClientCertificate => null!;

    public EndPoint RemoteEndPoint => new IPEndPoint(IPAddress.Loopback, 1883);

    public EndPoint LocalEndPoint => new IPEndPoint(IPAddress.Loopback, 50000);

    public bool IsSecureConnection => false;

    public MqttPacketFormatterAdapter PacketFormatterAdapter => null!;

    public void Incoming(MqttPacket packet) => _incoming.Writer.TryWrite(packet);

    public Task ConnectAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task DisconnectAsync(CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _disconnects);
        _incoming.Writer.TryWrite(null);
        return Task.CompletedTask;
    }

    public async Task<MqttPacket> ReceivePacketAsync(CancellationToken cancellationToken) =>
        (await _incoming.Reader.ReadAsync(cancellationToken))!;

    public void ResetStatistics()
    {
    }

    public Task SendPacketAsync(MqttPacket packet, CancellationToken cancellationToken)
    {
        Sent.Enqueue(packet);
        return Task.CompletedTask;
    }

    public void Dispose() => _incoming.Writer.TryComplete();
}
