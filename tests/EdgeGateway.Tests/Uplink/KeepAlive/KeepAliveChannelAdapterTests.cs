using EdgeGateway.Mqtt.KeepAlive;
using Microsoft.Extensions.Time.Testing;
using MQTTnet.Exceptions;
using MQTTnet.Packets;

namespace EdgeGateway.Tests.Uplink.KeepAlive;

/// <summary>
/// The keep-alive adapter over a scripted channel on fake time: what it changes in CONNECT and CONNACK, and how it
/// ends a connection whose ping goes unanswered (closed, no DISCONNECT packet, the reason on the receive path).
/// </summary>
public sealed class KeepAliveChannelAdapterTests
{
    private static readonly TimeSpan KeepAlive = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan Long = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Connect_KeepAliveZero_SentWithTheConfiguredSecondsAndPingerStartsAtConnAck()
    {
        var inner = new ScriptedChannelAdapter();
        using var adapter = new KeepAliveChannelAdapter(inner, KeepAlive, new FakeTimeProvider());

        await adapter.SendPacketAsync(new MqttConnectPacket { ClientId = "car-1", KeepAlivePeriod = 0 }, TestContext.Current.CancellationToken);
        Assert.Equal(30, Assert.IsType<MqttConnectPacket>(Assert.Single(inner.Sent)).KeepAlivePeriod);
        Assert.Null(adapter.Pinger);

        inner.Incoming(new MqttConnAckPacket());
        Assert.IsType<MqttConnAckPacket>(await adapter.ReceivePacketAsync(TestContext.Current.CancellationToken).WaitAsync(Long, TestContext.Current.CancellationToken));
        Assert.Equal(KeepAlive, adapter.Pinger?.Period);
    }

    [Fact]
    public async Task ConnAck_WithServerKeepAlive_PingerKeepsItAndMqttnetSeesNone()
    {
        var inner = new ScriptedChannelAdapter();
        using var adapter = new KeepAliveChannelAdapter(inner, KeepAlive, new FakeTimeProvider());

        inner.Incoming(new MqttConnAckPacket { ServerKeepAlive = 10 });
        var connAck = Assert.IsType<MqttConnAckPacket>(await adapter.ReceivePacketAsync(TestContext.Current.CancellationToken).WaitAsync(Long, TestContext.Current.CancellationToken));

        Assert.Equal(0, connAck.ServerKeepAlive); // else MQTTnet starts its 250 ms loop with it
        Assert.Equal(TimeSpan.FromSeconds(10), adapter.Pinger?.Period);
    }

    [Fact]
    public async Task Ping_Unanswered_ClosesWithoutDisconnectPacketAndTheReceiveLoopGetsTheReason()
    {
        var time = new FakeTimeProvider();
        var inner = new ScriptedChannelAdapter();
        using var adapter = new KeepAliveChannelAdapter(inner, KeepAlive, time);
        inner.Incoming(new MqttConnAckPacket());
        await adapter.ReceivePacketAsync(TestContext.Current.CancellationToken).WaitAsync(Long, TestContext.Current.CancellationToken);
        var receiving = adapter.ReceivePacketAsync(TestContext.Current.CancellationToken); // MQTTnet's receive loop

        time.Advance(KeepAlive);
        await Eventually.TrueAsync(() => inner.Sent.Any(p => p is MqttPingReqPacket), Long, "PINGREQ sent after a silent period");
        time.Advance(KeepAlive / 2);

        var lost = await Assert.ThrowsAsync<MqttCommunicationException>(() => receiving.WaitAsync(Long, TestContext.Current.CancellationToken));
        Assert.Contains("keep-alive ping not answered", lost.Message, StringComparison.Ordinal);
        Assert.Equal(1, inner.Disconnects);
        Assert.DoesNotContain(inner.Sent, p => p is MqttDisconnectPacket);
    }

    [Fact]
    public async Task Ping_Answered_ConnectionStaysAndTheNextPingIsAPeriodLater()
    {
        var time = new FakeTimeProvider();
        var inner = new ScriptedChannelAdapter();
        using var adapter = new KeepAliveChannelAdapter(inner, KeepAlive, time);
        inner.Incoming(new MqttConnAckPacket());
        await adapter.ReceivePacketAsync(TestContext.Current.CancellationToken).WaitAsync(Long, TestContext.Current.CancellationToken);

        time.Advance(KeepAlive);
        await Eventually.TrueAsync(() => inner.Sent.Count(p => p is MqttPingReqPacket) == 1, Long, "first PINGREQ");
        inner.Incoming(MqttPingRespPacket.Instance);
        Assert.IsType<MqttPingRespPacket>(await adapter.ReceivePacketAsync(TestContext.Current.CancellationToken).WaitAsync(Long, TestContext.Current.CancellationToken));
        await Eventually.TrueAsync(() => adapter.Pinger?.Answered == 1, Long, "PINGRESP seen, next ping scheduled");

        time.Advance(KeepAlive); // far past the ping timeout: answered, so nothing is closed
        await Eventually.TrueAsync(() => inner.Sent.Count(p => p is MqttPingReqPacket) == 2, Long, "second PINGREQ a period later");
        Assert.Equal(0, inner.Disconnects);
        Assert.Equal(2, adapter.Pinger?.Pings);
        Assert.Equal(1, adapter.Pinger?.Answered);
    }
}
