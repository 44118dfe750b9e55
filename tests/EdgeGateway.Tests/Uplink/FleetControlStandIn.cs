using System.Collections.Concurrent;
using System.Threading.Channels;
using EdgeGateway.Contracts;
using EdgeGateway.Contracts.V1;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace EdgeGateway.Tests.Uplink;

/// <summary>
/// Plays FleetControl's part of the delivery protocol over a real broker: subscribes the ingest
/// filters (QoS 1, persistent session), "stores" every envelope id in a set, then publishes a
/// DeliveryAck for the batch to the device's acks topic. Reconnects on its own after a broker outage.
/// </summary>
internal sealed class FleetControlStandIn : IAsyncDisposable
{
    private readonly string _host;
    private readonly int _port;
    private readonly IMqttClient _client;
    private readonly Channel<(string DeviceId, string[] Ids)> _toAck = Channel.CreateUnbounded<(string, string[])>();
    private readonly CancellationTokenSource _stop = new();
    private Task? _acker;
    private Task? _reconnect;
    private long _envelopes;

    public FleetControlStandIn(string host, int port, string clientId = "fleetcontrol-standin")
    {
        _host = host;
        _port = port;
        ClientId = clientId;
        _client = new MqttClientFactory().CreateMqttClient();
        _client.ApplicationMessageReceivedAsync += OnMessageAsync;
        _client.DisconnectedAsync += OnDisconnectedAsync;
    }

    public string ClientId { get; }

    /// <summary>When false the stand-in stores but does not acknowledge (FleetControl's store is stuck).</summary>
    public bool AckEnabled { get; set; } = true;

    /// <summary>Every message id received and how often (more than once = a duplicate on the wire).</summary>
    public ConcurrentDictionary<string, int> Received { get; } = new(StringComparer.Ordinal);

    /// <summary>Envelopes received including duplicates.</summary>
    public long EnvelopesReceived => Interlocked.Read(ref _envelopes);

    /// <summary>Raised per envelope with the <see cref="TimeProvider.GetTimestamp"/> of arrival and the count received before it.</summary>
    public event Action<Envelope, long, long>? EnvelopeReceived;

    public List<(string Topic, MqttApplicationMessage Message)> RawMessages { get; } = [];

    public bool KeepRaw { get; set; }

    public async Task StartAsync()
    {
        await ConnectAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(15));
        _acker = SendAcksAsync(_stop.Token);
    }

    private async Task ConnectAsync(CancellationToken cancellationToken)
    {
        var options = new MqttClientOptionsBuilder()
            .WithTcpServer(_host, _port)
            .WithProtocolVersion(MqttProtocolVersion.V500)
            .WithClientId(ClientId)
            .WithCleanStart(false)
            .WithSessionExpiryInterval(3600)
            .WithTimeout(TimeSpan.FromSeconds(5))
            .Build();
        await _client.ConnectAsync(options, cancellationToken);
        var subscribe = new MqttClientSubscribeOptionsBuilder();
        foreach (var filter in Topics.IngestFilters)
        {
            subscribe = subscribe.WithTopicFilter(filter, MqttQualityOfServiceLevel.AtLeastOnce);
        }

        await _client.SubscribeAsync(subscribe.Build(), cancellationToken);
    }

    private Task OnDisconnectedAsync(MqttClientDisconnectedEventArgs args)
    {
        if (args.ClientWasConnected && !_stop.IsCancellationRequested)
        {
            _reconnect = ReconnectAsync(_stop.Token);
        }

        return Task.CompletedTask;
    }

    private async Task ReconnectAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested && !_client.IsConnected)
        {
            try
            {
                await ConnectAsync(cancellationToken);
                return;
            }
            catch (Exception) when (!cancellationToken.IsCancellationRequested)
            {
                await Task.Delay(50, cancellationToken);
            }
        }
    }

    private Task OnMessageAsync(MqttApplicationMessageReceivedEventArgs args)
    {
        var message = args.ApplicationMessage;
        if (!Topics.TryParse(message.Topic, out var deviceId, out _))
        {
            return Task.CompletedTask;
        }

        if (KeepRaw)
        {
            lock (RawMessages)
            {
                RawMessages.Add((message.Topic, message));
            }
        }

        var at = TimeProvider.System.GetTimestamp();
        var batch = EnvelopeBatch.Parser.ParseFrom(message.Payload);
        var ids = new string[batch.Envelopes.Count];
        for (var i = 0; i < ids.Length; i++)
        {
            var envelope = batch.Envelopes[i];
            ids[i] = envelope.MessageId;
            Received.AddOrUpdate(envelope.MessageId, 1, (_, n) => n + 1);
            var before = Interlocked.Increment(ref _envelopes) - 1;
            EnvelopeReceived?.Invoke(envelope, at, before);
        }

        if (AckEnabled)
        {
            _toAck.Writer.TryWrite((deviceId, ids));
        }

        return Task.CompletedTask;
    }

    private async Task SendAcksAsync(CancellationToken cancellationToken)
    {
        var reader = _toAck.Reader;
        while (await reader.WaitToReadAsync(cancellationToken))
        {
            var byDevice = new Dictionary<string, List<string>>();
            while (reader.TryRead(out var item))
            {
                if (!byDevice.TryGetValue(item.DeviceId, out var list))
                {
                    byDevice[item.DeviceId] = list = [];
                }

                list.AddRange(item.Ids);
            }

            foreach (var (deviceId, ids) in byDevice)
            {
                var ack = new DeliveryAck { StoredAt = Timestamp.FromDateTimeOffset(TimeProvider.System.GetUtcNow()) };
                ack.MessageIds.AddRange(ids);
                var message = new MqttApplicationMessageBuilder()
                    .WithTopic(Topics.Acks(deviceId))
                    .WithPayload(ack.ToByteArray())
                    .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
                    .Build();
                try
                {
                    await _client.PublishAsync(message, cancellationToken);
                }
                catch (Exception) when (cancellationToken.IsCancellationRequested)
                {
                    return;
                }
                catch (Exception)
                {
                    // Broker down: the ack is lost, as FleetControl's would be; the gateway re-sends and we ack again.
                }
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _toAck.Writer.TryComplete();
        try
        {
            if (_acker is not null)
            {
                await _acker.WaitAsync(TimeSpan.FromSeconds(5));
            }

            if (_reconnect is not null)
            {
                await _reconnect.WaitAsync(TimeSpan.FromSeconds(5));
            }
        }
        catch (Exception)
        {
            // Stopping: whatever the acker or reconnect loop was doing no longer matters.
        }

        if (_client.IsConnected)
        {
            try
            {
                await _client.DisconnectAsync(new MqttClientDisconnectOptions()).WaitAsync(TimeSpan.FromSeconds(5));
            }
            catch (Exception)
            {
            }
        }

        _client.Dispose();
        _stop.Dispose();
    }
}
