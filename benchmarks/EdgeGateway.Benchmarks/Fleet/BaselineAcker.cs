using EdgeGateway.Contracts;
using EdgeGateway.Contracts.V1;
using Google.Protobuf;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace EdgeGateway.Benchmarks.Fleet;

/// <summary>
/// The baseline: a plain QoS 1 subscriber to every device's telemetry that parses each batch and
/// publishes its DeliveryAck at once. The broker and the protocol work of FleetControl, without a store.
/// </summary>
internal sealed class BaselineAcker : IAsyncDisposable
{
    private readonly IMqttClient _client;

    private BaselineAcker(IMqttClient client) => _client = client;

    public static async Task<BaselineAcker> StartAsync(int port)
    {
        var client = new MqttClientFactory().CreateMqttClient();
        client.ApplicationMessageReceivedAsync += e =>
        {
            var topic = e.ApplicationMessage.Topic;
            var batch = EnvelopeBatch.Parser.ParseFrom(e.ApplicationMessage.Payload);
            var ack = new DeliveryAck();
            foreach (var envelope in batch.Envelopes)
            {
                ack.MessageIds.Add(envelope.MessageId);
            }

            var deviceId = topic.Split('/')[2];
            _ = client.PublishAsync(new MqttApplicationMessageBuilder()
                .WithTopic(Topics.Acks(deviceId))
                .WithPayload(ack.ToByteArray())
                .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
                .Build());
            return Task.CompletedTask;
        };
        await client.ConnectAsync(new MqttClientOptionsBuilder()
            .WithTcpServer("127.0.0.1", port)
            .WithClientId("baseline-acker")
            .WithProtocolVersion(MqttProtocolVersion.V500)
            .WithCleanStart(true)
            .Build());
        await client.SubscribeAsync(new MqttClientSubscribeOptionsBuilder()
            .WithTopicFilter(f => f.WithTopic("fleet/v1/+/telemetry/#").WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce))
            .Build());
        return new BaselineAcker(client);
    }

    /// <summary><c>fleet-acker PORT</c>: runs the acker as its own process (as FleetControl is) until killed.</summary>
    public static async Task<int> RunProcessAsync(string[] args)
    {
        ThreadPool.SetMinThreads(64, 64); // as the harness: a burst must not wait for the pool to inject threads

        await using var acker = await StartAsync(int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture));
        Console.WriteLine("subscribed");
        await Task.Delay(Timeout.Infinite);
        return 0;
    }

    public async ValueTask DisposeAsync()
    {
        await _client.DisconnectAsync();
        _client.Dispose();
    }
}
