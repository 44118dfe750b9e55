using System.Collections.Concurrent;
using EdgeGateway.Contracts;
using EdgeGateway.Contracts.V1;
using EdgeGateway.Mqtt.KeepAlive;
using EdgeGateway.Uplink.Mqtt;
using MQTTnet;
using MQTTnet.Diagnostics.PacketInspection;
using MQTTnet.Formatter;

namespace EdgeGateway.Tests.Uplink.KeepAlive;

/// <summary>
/// The gateway's own keep-alive against the real embedded MQTTnet broker: the broker is told the configured
/// period, and a link that stops carrying data is noticed by an unanswered ping on the gateway's side and by
/// the broker's keep-alive check on the other (it publishes the last will); the gateway then reconnects.
/// </summary>
public sealed class KeepAliveBrokerTests
{
    private static readonly TimeSpan Long = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Connect_BrokerSeesTheConfiguredKeepAlive()
    {
        await using var broker = await EmbeddedBroker.StartAsync();
        var keepAlives = new ConcurrentQueue<ushort?>();
        broker.Server.ValidatingConnectionAsync += args =>
        {
            keepAlives.Enqueue(args.KeepAlivePeriod);
            return Task.CompletedTask;
        };
        await using var uplink = new UplinkHarness(broker.Port, options => options.KeepAlive = TimeSpan.FromSeconds(7));
        await uplink.StartAsync();
        await uplink.Link.WaitForAsync(LinkState.Connected, TestContext.Current.CancellationToken).WaitAsync(Long, TestContext.Current.CancellationToken);

        Assert.Equal([(ushort?)7], keepAlives);
    }

    [Fact]
    public async Task LinkStalled_PingUnanswered_BrokerPublishesWillAndGatewayReconnects()
    {
        await using var broker = await EmbeddedBroker.StartAsync();
        await using var relay = await TcpRelay.StartAsync(broker.Port);
        await using var uplink = new UplinkHarness(relay.Port, options => options.KeepAlive = TimeSpan.FromSeconds(2));
        await uplink.StartAsync();
        await uplink.Link.WaitForAsync(LinkState.Connected, TestContext.Current.CancellationToken).WaitAsync(Long, TestContext.Current.CancellationToken);
        Assert.True((await RetainedStatusAsync(broker, uplink.DeviceId)).Online);

        // Coverage gone but the socket still open: nothing gets through in either direction, and no close either.
        relay.Stall(acceptNew: false);

        // The gateway notices through its unanswered ping...
        await uplink.Link.WaitForAsync(LinkState.Offline, TestContext.Current.CancellationToken).WaitAsync(Long, TestContext.Current.CancellationToken);
        Assert.Contains(uplink.Transitions, change => change.To == LinkState.Offline && change.Reason.Contains("keep-alive ping", StringComparison.Ordinal));

        // ...and the broker through the keep-alive it was told in CONNECT: only that can end a stalled link for it.
        await Eventually.TrueAsync(
            () => RetainedStatusAsync(broker, uplink.DeviceId).GetAwaiter().GetResult() is { Online: false },
            Long,
            "last will published as retained offline status");

        // Coverage back: the session's reconnect takes over and the device is online again.
        var connectsBefore = uplink.Transitions.Count(change => change.To == LinkState.Connected);
        relay.Sever(acceptNew: true);
        await Eventually.TrueAsync(
            () => uplink.Transitions.Count(change => change.To == LinkState.Connected) > connectsBefore
                && RetainedStatusAsync(broker, uplink.DeviceId).GetAwaiter().GetResult() is { Online: true },
            Long,
            "reconnected and online again");
    }

    [Fact]
    public async Task Mosquitto_ServerKeepAliveShorter_PingedAtTheServersPeriodAndAnswered()
    {
        // mosquitto answers a 30 s keep-alive above its max_keepalive (10 s, the least it accepts) with Server Keep Alive
        // 10 s in the CONNACK, and drops the client after 15 s of silence: only a ping at the server's pace is answered.
        await using var broker = await MosquittoBroker.StartAsync(listenerSettings: _ => "max_keepalive 10");
        using var client = new MqttClientFactory().CreateMqttClient(new KeepAliveAdapterFactory(TimeSpan.FromSeconds(30), TimeProvider.System));
        var pongs = 0;
        var disconnects = 0;
        client.InspectPacketAsync += args =>
        {
            if (args.Direction == MqttPacketFlowDirection.Inbound && args.Buffer.Length > 0 && args.Buffer[0] == 0xD0)
            {
                Interlocked.Increment(ref pongs);
            }

            return Task.CompletedTask;
        };
        client.DisconnectedAsync += _ =>
        {
            Interlocked.Increment(ref disconnects);
            return Task.CompletedTask;
        };

        var options = new MqttClientOptionsBuilder()
            .WithTcpServer("127.0.0.1", broker.Port)
            .WithProtocolVersion(MqttProtocolVersion.V500)
            .WithClientId($"ka-{Guid.NewGuid():N}"[..16])
            .WithKeepAlivePeriod(TimeSpan.Zero)
            .Build();
        var connected = await client.ConnectAsync(options, TestContext.Current.CancellationToken).WaitAsync(Long, TestContext.Current.CancellationToken);

        // Hidden from MQTTnet, which would otherwise start its 250 ms loop with it.
        Assert.Equal(0, connected.ServerKeepAlive);
        await Eventually.TrueAsync(() => Volatile.Read(ref pongs) >= 1 || Volatile.Read(ref disconnects) > 0, Long, "a ping answered, or the link dropped");
        Assert.Equal(0, Volatile.Read(ref disconnects));
        Assert.True(client.IsConnected);
    }

    private static async Task<DeviceStatus> RetainedStatusAsync(EmbeddedBroker broker, string deviceId)
    {
        var retained = await broker.Server.GetRetainedMessageAsync(Topics.Status(deviceId)).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.NotNull(retained);
        return DeviceStatus.Parser.ParseFrom(retained.Payload);
    }
}
