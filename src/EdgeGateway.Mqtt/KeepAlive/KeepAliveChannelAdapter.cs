using System.Net;
using System.Security.Cryptography.X509Certificates;
using MQTTnet.Adapter;
using MQTTnet.Exceptions;
using MQTTnet.Formatter;
using MQTTnet.Packets;

namespace EdgeGateway.Mqtt.KeepAlive;

/// <summary>
/// MQTTnet's channel adapter for one connection, with the keep-alive done here instead of in MQTTnet's
/// 250 ms loop (the client is given a keep-alive of zero, so that loop never starts). It writes the real
/// keep-alive into the outgoing CONNECT, so the broker still drops a silent link after 1.5 periods and
/// publishes the last will; from the CONNACK on it runs a <see cref="KeepAlivePinger"/> that every sent
/// packet postpones. A ping that is not answered in time closes the socket without a DISCONNECT packet:
/// MQTTnet's receive loop then reports the connection lost (with the reason), and the broker sends the will.
/// </summary>
internal sealed class KeepAliveChannelAdapter : IMqttChannelAdapter
{
    private readonly IMqttChannelAdapter _inner;
    private readonly TimeSpan _keepAlive;
    private readonly TimeProvider _time;
    private KeepAlivePinger? _pinger;
    private TaskCompletionSource? _pong;
    private volatile string? _lostReason;

    public KeepAliveChannelAdapter(IMqttChannelAdapter inner, TimeSpan keepAlive, TimeProvider time)
    {
        _inner = inner;
        _keepAlive = keepAlive;
        _time = time;
    }

    /// <summary>The pinger of this connection, once the CONNACK has arrived.</summary>
    public KeepAlivePinger? Pinger => Volatile.Read(ref _pinger);

    public long BytesReceived => _inner.BytesReceived;

    public long BytesSent => _inner.BytesSent;

    public X509Certificate2 ClientCertificate => _inner.ClientCertificate;

    public EndPoint RemoteEndPoint => _inner.RemoteEndPoint;

    public EndPoint LocalEndPoint => _inner.LocalEndPoint;

    public bool IsSecureConnection => _inner.IsSecureConnection;

    public MqttPacketFormatterAdapter PacketFormatterAdapter => _inner.PacketFormatterAdapter;

    public Task ConnectAsync(CancellationToken cancellationToken) => _inner.ConnectAsync(cancellationToken);

    public Task DisconnectAsync(CancellationToken cancellationToken)
    {
        StopPinger();
        return _inner.DisconnectAsync(cancellationToken);
    }

    public void ResetStatistics() => _inner.ResetStatistics();

    public Task SendPacketAsync(MqttPacket packet, CancellationToken cancellationToken)
    {
        if (packet is MqttConnectPacket { KeepAlivePeriod: 0 } connect)
        {
            connect.KeepAlivePeriod = (ushort)Math.Clamp(Math.Ceiling(_keepAlive.TotalSeconds), 1, ushort.MaxValue);
        }

        // Stamped when the send starts, as MQTTnet does: a send stuck on a dead link is the ack timeout's business.
        Volatile.Read(ref _pinger)?.Sent();
        return _inner.SendPacketAsync(packet, cancellationToken);
    }

    public async Task<MqttPacket> ReceivePacketAsync(CancellationToken cancellationToken)
    {
        MqttPacket? packet;
        try
        {
            packet = await _inner.ReceivePacketAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception) when (_lostReason is { } reason)
        {
            throw new MqttCommunicationException(reason, exception);
        }

        switch (packet)
        {
            case null when _lostReason is { } reason:
                throw new MqttCommunicationException(reason);
            case MqttConnAckPacket connAck:
                StartPinger(connAck);
                break;
            case MqttPingRespPacket:
                Volatile.Read(ref _pong)?.TrySetResult();
                break;
        }

        return packet!; // null: the connection closed, as MQTTnet reports it
    }

    public void Dispose()
    {
        StopPinger();
        _inner.Dispose();
    }

    private void StartPinger(MqttConnAckPacket connAck)
    {
        // A broker may impose its own period (MQTT 5 Server Keep Alive). Use it here, and hide it from MQTTnet,
        // which would otherwise start its polling loop with it.
        var period = connAck.ServerKeepAlive > 0 ? TimeSpan.FromSeconds(connAck.ServerKeepAlive) : _keepAlive;
        connAck.ServerKeepAlive = 0;
        var pinger = new KeepAlivePinger(period, _time, PingAsync, OnPingFailed);
        Interlocked.Exchange(ref _pinger, pinger)?.Dispose();
    }

    private void StopPinger() => Interlocked.Exchange(ref _pinger, null)?.Dispose();

    private async Task PingAsync(CancellationToken cancellationToken)
    {
        var pong = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Volatile.Write(ref _pong, pong);
        await _inner.SendPacketAsync(MqttPingReqPacket.Instance, cancellationToken).ConfigureAwait(false);
        await pong.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    private void OnPingFailed(Exception exception)
    {
        _lostReason = exception.Message;
        _ = CloseAsync();
    }

    /// <summary>Closes the socket; no DISCONNECT goes out, so the broker publishes the last will.</summary>
    private async Task CloseAsync()
    {
        try
        {
            await _inner.DisconnectAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception)
        {
            // Already closed or disposed: MQTTnet is ending the connection anyway.
        }
    }
}
