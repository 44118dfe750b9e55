using EdgeGateway.Contracts.V1;
using EdgeGateway.Uplink;
using EdgeGateway.Uplink.Drain;
using EdgeGateway.Uplink.Mqtt;
using MQTTnet;
using MQTTnet.Formatter;

namespace EdgeGateway.Tests.Uplink;

public sealed class MqttBearerTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task SendAsync_BacklogHoldsEverySlotItMay_UrgentBatchStillGoesOut()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var broker = await EmbeddedBroker.StartAsync();
        var hold = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        broker.Server.InterceptingPublishAsync += _ => hold.Task; // no PUBACK comes back until released
        using var client = new MqttClientFactory().CreateMqttClient();
        using var linkDown = new CancellationTokenSource();
        var bearer = await ConnectedBearerAsync(client, broker, receiveMaximum: 4, linkDown.Token, ct);
        try
        {
            // Three backlog publishes take three of the four slots; the fourth would take the last one.
            for (var i = 0; i < 3; i++)
            {
                await bearer.SendAsync(Batch(PriorityClass.Telemetry), ct).AsTask().WaitAsync(Timeout, ct);
            }

            var fourth = bearer.SendAsync(Batch(PriorityClass.Telemetry), ct).AsTask();
            Assert.Equal((1, 0), bearer.FreeSlots);

            await bearer.SendAsync(Batch(PriorityClass.Emergency), ct).AsTask().WaitAsync(Timeout, ct);

            Assert.False(fourth.IsCompleted); // still waiting for a PUBACK: the reserved slot is only for urgent batches
            Assert.Equal((0, 0), bearer.FreeSlots);
            hold.TrySetResult();
            await fourth.WaitAsync(Timeout, ct);
        }
        finally
        {
            hold.TrySetResult();
            await linkDown.CancelAsync();
        }
    }

    [Fact]
    public async Task SendAsync_BrokerAllowsMore_BacklogStillHoldsThirtyOneUrgentGetsFourSlots()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var broker = await EmbeddedBroker.StartAsync();
        var hold = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        broker.Server.InterceptingPublishAsync += _ => hold.Task; // no PUBACK comes back until released
        using var client = new MqttClientFactory().CreateMqttClient();
        using var linkDown = new CancellationTokenSource();
        var bearer = await ConnectedBearerAsync(client, broker, receiveMaximum: null, linkDown.Token, ct);
        try
        {
            // The backlog takes as many slots as before (MaxPendingPublishes - 1), no more.
            for (var i = 0; i < MqttBearer.MaxPendingPublishes - 1; i++)
            {
                await bearer.SendAsync(Batch(PriorityClass.Telemetry), ct).AsTask().WaitAsync(Timeout, ct);
            }

            var moreBacklog = bearer.SendAsync(Batch(PriorityClass.Telemetry), ct).AsTask();
            Assert.Equal((1 + MqttBearer.ExtraUrgentPublishes, 0), bearer.FreeSlots);

            // Four urgent publishes go out while none of the earlier ones has its PUBACK; a fifth waits.
            for (var i = 0; i < 1 + MqttBearer.ExtraUrgentPublishes; i++)
            {
                await bearer.SendAsync(Batch(i % 2 == 0 ? PriorityClass.Emergency : PriorityClass.Alert), ct).AsTask().WaitAsync(Timeout, ct);
            }

            var fifthUrgent = bearer.SendAsync(Batch(PriorityClass.Emergency), ct).AsTask();
            Assert.False(moreBacklog.IsCompleted);
            Assert.False(fifthUrgent.IsCompleted);
            Assert.Equal((0, 0), bearer.FreeSlots);

            hold.TrySetResult();
            await Task.WhenAll(moreBacklog, fifthUrgent).WaitAsync(Timeout, ct);
        }
        finally
        {
            hold.TrySetResult();
            await linkDown.CancelAsync();
        }
    }

    // A bearer over a client connected to the broker (MQTT 5, the vehicle's client id); the link ends with linkDown.
    private static async Task<MqttBearer> ConnectedBearerAsync(IMqttClient client, EmbeddedBroker broker, ushort? receiveMaximum, CancellationToken linkDown, CancellationToken ct)
    {
        await client.ConnectAsync(
            new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", broker.Port).WithProtocolVersion(MqttProtocolVersion.V500).WithClientId("test-vehicle").Build(),
            ct).WaitAsync(Timeout, ct);
        var time = TimeProvider.System;
        return new MqttBearer(client, "test-vehicle", receiveMaximum, new LinkStateMachine(new TestLogger<LinkStateMachine>(), time),
            new UplinkCounters(), time, new TestLogger<MqttBearer>(), linkDown);
    }

    private static PublishBatch Batch(PriorityClass priority)
    {
        var message = TestEnvelopes.Message("test-vehicle", priority);
        return new PublishBatch(priority, "gnss", [message]);
    }
}
