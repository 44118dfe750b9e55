using System.Threading.Channels;
using EdgeGateway.Contracts;
using EdgeGateway.Contracts.V1;
using Google.Protobuf;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace FleetControl.Tests.Infrastructure;

/// <summary>A real MQTTnet client playing a gateway: publishes batches, receives DeliveryAcks.</summary>
internal sealed class TestDevice : IAsyncDisposable
{
    private readonly IMqttClient _client;
    private readonly Channel<DeliveryAck> _acks = Channel.CreateUnbounded<DeliveryAck>();

    private TestDevice(string deviceId, IMqttClient client)
    {
        DeviceId = deviceId;
        _client = client;
        _client.ApplicationMessageReceivedAsync += e =>
        {
            if (e.ApplicationMessage.Topic == Topics.Acks(deviceId))
            {
                _acks.Writer.TryWrite(DeliveryAck.Parser.ParseFrom(e.ApplicationMessage.Payload));
            }

            return Task.CompletedTask;
        };
    }

    public string DeviceId { get; }

    public IMqttClient Client => _client;

    public static async Task<TestDevice> ConnectAsync(int port, string deviceId, bool lastWill = false, string? clientId = null)
    {
        var client = new MqttClientFactory().CreateMqttClient();
        var device = new TestDevice(deviceId, client);
        var options = new MqttClientOptionsBuilder()
            .WithTcpServer("127.0.0.1", port)
            .WithClientId(clientId ?? deviceId)
            .WithProtocolVersion(MqttProtocolVersion.V500)
            .WithCleanStart(true)
            .WithTimeout(TimeSpan.FromSeconds(10));
        if (lastWill)
        {
            options.WithWillTopic(Topics.Status(deviceId))
                .WithWillPayload(new DeviceStatus { Online = false, Role = "Vehicle" }.ToByteArray())
                .WithWillRetain(true)
                .WithWillQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce);
        }

        var connected = await client.ConnectAsync(options.Build(), TestContext.Current.CancellationToken).WaitAsync(Eventually.DefaultTimeout);
        if (connected.ResultCode != MqttClientConnectResultCode.Success)
        {
            client.Dispose();
            throw new InvalidOperationException($"Connection refused: {connected.ResultCode}");
        }

        var subscribe = new MqttClientSubscribeOptionsBuilder()
            .WithTopicFilter(f => f.WithTopic(Topics.Acks(deviceId)).WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce))
            .Build();
        await client.SubscribeAsync(subscribe, TestContext.Current.CancellationToken).WaitAsync(Eventually.DefaultTimeout);
        return device;
    }

    /// <summary>Publishes one batch where the gateway would: on the topic of its first envelope's class and stream.</summary>
    public Task<MqttClientPublishResult> PublishBatchAsync(params Envelope[] envelopes) =>
        PublishAsync(Topics.ForEnvelope(DeviceId, envelopes[0].Priority, envelopes[0].Stream), TestEnvelopes.Batch(envelopes).ToByteArray());

    public Task<MqttClientPublishResult> PublishAsync(string topic, byte[] payload, bool retain = false)
    {
        var message = new MqttApplicationMessageBuilder()
            .WithTopic(topic)
            .WithPayload(payload)
            .WithRetainFlag(retain)
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .Build();
        return _client.PublishAsync(message, TestContext.Current.CancellationToken).WaitAsync(Eventually.DefaultTimeout);
    }

    public async Task<DeliveryAck> NextAckAsync(TimeSpan? timeout = null) =>
        await _acks.Reader.ReadAsync(TestContext.Current.CancellationToken).AsTask().WaitAsync(timeout ?? Eventually.DefaultTimeout);

    public bool TryGetAck(out DeliveryAck? ack) => _acks.Reader.TryRead(out ack);

    /// <summary>
    /// True once an ack is waiting (read it with <see cref="TryGetAck"/>), false after <paramref name="timeout"/>.
    /// Unlike a timed-out <see cref="NextAckAsync"/>, it leaves no pending read behind to swallow the next ack.
    /// </summary>
    public async Task<bool> WaitForAckAsync(TimeSpan timeout)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        cts.CancelAfter(timeout);
        try
        {
            return await _acks.Reader.WaitToReadAsync(cts.Token);
        }
        catch (OperationCanceledException) when (!TestContext.Current.CancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }

    /// <summary>Drops the connection without DISCONNECT, as a power cut would: the broker publishes the last will.</summary>
    public void DropConnection()
    {
        _dropped = true;
        _client.Dispose();
    }

    private bool _dropped;

    public async ValueTask DisposeAsync()
    {
        if (!_dropped && _client.IsConnected)
        {
            await _client.DisconnectAsync(new MqttClientDisconnectOptionsBuilder().Build(), CancellationToken.None).WaitAsync(Eventually.DefaultTimeout);
        }

        _client.Dispose();
    }
}
