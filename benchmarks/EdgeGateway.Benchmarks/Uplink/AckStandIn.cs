using System.Collections.Concurrent;
using System.Threading.Channels;
using EdgeGateway.Contracts;
using EdgeGateway.Contracts.V1;
using Google.Protobuf;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace EdgeGateway.Benchmarks.Uplink;

/// <summary>
/// FleetControl's half of the delivery protocol, minus the store: subscribes the ingest filters and
/// answers every batch with a DeliveryAck to the device's acks topic (coalescing what is queued).
/// </summary>
internal sealed class AckStandIn : IAsyncDisposable
{
    private readonly IMqttClient _client = new MqttClientFactory().CreateMqttClient();
    private readonly Channel<(string DeviceId, string[] Ids)> _toAck = Channel.CreateUnbounded<(string, string[])>();
    private readonly ConcurrentDictionary<string, TaskCompletionSource<long>> _expected = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stop = new();
    private Task? _acker;
    private long _envelopes;

    public long Envelopes => Interlocked.Read(ref _envelopes);

    public async Task StartAsync(int port)
    {
        _client.ApplicationMessageReceivedAsync += OnMessageAsync;
        await _client.ConnectAsync(new MqttClientOptionsBuilder()
            .WithTcpServer("127.0.0.1", port)
            .WithProtocolVersion(MqttProtocolVersion.V500)
            .WithClientId("bench-fleetcontrol")
            .Build());
        var subscribe = new MqttClientSubscribeOptionsBuilder();
        foreach (var filter in Topics.IngestFilters)
        {
            subscribe = subscribe.WithTopicFilter(filter, MqttQualityOfServiceLevel.AtLeastOnce);
        }

        await _client.SubscribeAsync(subscribe.Build());
        _acker = SendAcksAsync(_stop.Token);
    }

    /// <summary>Completes with the arrival timestamp of the envelope <paramref name="messageId"/>.</summary>
    public Task<long> Expect(string messageId) =>
        _expected.GetOrAdd(messageId, _ => new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously)).Task;

    private Task OnMessageAsync(MqttApplicationMessageReceivedEventArgs args)
    {
        var at = TimeProvider.System.GetTimestamp();
        if (!Topics.TryParse(args.ApplicationMessage.Topic, out var deviceId, out _))
        {
            return Task.CompletedTask;
        }

        var batch = EnvelopeBatch.Parser.ParseFrom(args.ApplicationMessage.Payload);
        var ids = new string[batch.Envelopes.Count];
        for (var i = 0; i < ids.Length; i++)
        {
            ids[i] = batch.Envelopes[i].MessageId;
            if (_expected.TryRemove(ids[i], out var waiter))
            {
                waiter.TrySetResult(at);
            }
        }

        Interlocked.Add(ref _envelopes, ids.Length);
        _toAck.Writer.TryWrite((deviceId, ids));
        return Task.CompletedTask;
    }

    private async Task SendAcksAsync(CancellationToken cancellationToken)
    {
        var reader = _toAck.Reader;
        try
        {
            while (await reader.WaitToReadAsync(cancellationToken))
            {
                var byDevice = new Dictionary<string, DeliveryAck>();
                while (reader.TryRead(out var item))
                {
                    if (!byDevice.TryGetValue(item.DeviceId, out var ack))
                    {
                        byDevice[item.DeviceId] = ack = new DeliveryAck();
                    }

                    ack.MessageIds.AddRange(item.Ids);
                }

                foreach (var (deviceId, ack) in byDevice)
                {
                    await _client.PublishAsync(
                        new MqttApplicationMessageBuilder()
                            .WithTopic(Topics.Acks(deviceId))
                            .WithPayload(ack.ToByteArray())
                            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
                            .Build(),
                        cancellationToken);
                }
            }
        }
        catch (Exception) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        if (_acker is not null)
        {
            await _acker;
        }

        await _client.DisconnectAsync(new MqttClientDisconnectOptions());
        _client.Dispose();
        _stop.Dispose();
    }
}
