using EdgeGateway.Mqtt.KeepAlive;
using MQTTnet;
using MQTTnet.Protocol;

namespace FleetControl.Ingest;

/// <summary>
/// One MQTT connection of the <see cref="MqttIngestClient"/>, on a persistent session of its own (clean start off,
/// long expiry) so what is published while FleetControl is down waits in the broker. Connects, subscribes to its
/// filters, drops the filters another connection of the client now owns (a persistent session keeps a subscription
/// it once had), and reconnects after <c>Mqtt:ReconnectDelay</c> until stopped.
/// </summary>
/// <remarks>
/// A broker delivers one session's messages in the order they were queued for it. The urgent classes therefore get a
/// connection of their own (<see cref="MqttIngestClient"/>): an Emergency never waits in the same queue behind the
/// thousands of backlog messages a gateway sends when its link comes back.
/// </remarks>
internal sealed class IngestConnection : IDisposable
{
    private readonly MqttClientOptions _options;
    private readonly IReadOnlyList<string> _handedOver;
    private readonly Task _handOverWhen;
    private readonly TimeSpan _reconnectDelay;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly TaskCompletionSource _subscribed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<bool> _retired = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <param name="options">Client id, broker, credentials and TLS of this connection.</param>
    /// <param name="filters">What this connection subscribes to.</param>
    /// <param name="handedOver">Filters this session may hold from an earlier configuration that another connection now owns.</param>
    /// <param name="handOverWhen">Completes when the connection that owns <paramref name="handedOver"/> has subscribed to them.</param>
    /// <param name="keepAlive">The keep-alive period (sent by our adapter, not MQTTnet's 250 ms loop).</param>
    /// <param name="reconnectDelay">Pause between connection attempts.</param>
    /// <param name="time">Paces the reconnects.</param>
    /// <param name="logger">Where connects, refusals and disconnects are logged.</param>
    public IngestConnection(MqttClientOptions options, IReadOnlyList<string> filters, IReadOnlyList<string> handedOver, Task handOverWhen, TimeSpan keepAlive, TimeSpan reconnectDelay, TimeProvider time, ILogger logger)
    {
        _options = options;
        Filters = filters;
        _handedOver = handedOver;
        _handOverWhen = handOverWhen;
        _reconnectDelay = reconnectDelay;
        _time = time;
        _logger = logger;
        // System clock: the keep-alive is about a real socket.
        Client = new MqttClientFactory().CreateMqttClient(new KeepAliveAdapterFactory(keepAlive, TimeProvider.System));
    }

    /// <summary>The MQTT client (receive handler, publishes).</summary>
    public IMqttClient Client { get; }

    /// <summary>The client id its session is keyed on.</summary>
    public string ClientId => _options.ClientId;

    /// <summary>Subscription filters (shared, <c>$share/{group}/...</c>, when a group is configured).</summary>
    public IReadOnlyList<string> Filters { get; }

    /// <summary>Completes when its first subscription is in place and the filters it handed over are dropped.</summary>
    public Task Subscribed => _subscribed.Task;

    /// <summary>Completes when <see cref="RetireAsync"/> has ended: true when the broker holds no session of this client id any more.</summary>
    public Task<bool> Retired => _retired.Task;

    /// <summary>Connects and stays connected until <paramref name="stoppingToken"/> is cancelled.</summary>
    public async Task RunAsync(CancellationToken stoppingToken)
    {
        var endpoint = (_options.ChannelOptions as MqttClientTcpOptions)?.RemoteEndpoint switch
        {
            System.Net.DnsEndPoint dns => $"{dns.Host}:{dns.Port}",
            System.Net.IPEndPoint ip => ip.ToString(),
            _ => "the broker",
        };
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                var disconnected = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
                Task OnDisconnected(MqttClientDisconnectedEventArgs e)
                {
                    disconnected.TrySetResult(e.ReasonString ?? e.Exception?.Message ?? e.Reason.ToString());
                    return Task.CompletedTask;
                }

                Client.DisconnectedAsync += OnDisconnected;
                try
                {
                    Log.Connecting(_logger, endpoint, ClientId, TimeSpan.FromSeconds(_options.SessionExpiryInterval));
                    var connect = await Client.ConnectAsync(_options, stoppingToken).ConfigureAwait(false);
                    if (connect.ResultCode != MqttClientConnectResultCode.Success)
                    {
                        throw new InvalidOperationException($"The broker refused the connection of {ClientId}: {connect.ResultCode} {connect.ReasonString}");
                    }

                    await SubscribeAsync(stoppingToken).ConfigureAwait(false);
                    Log.Connected(_logger, ClientId, connect.IsSessionPresent, string.Join(", ", Filters));
                    await DropHandedOverAsync(disconnected.Task, stoppingToken).ConfigureAwait(false);
                    _subscribed.TrySetResult();
                    var reason = await disconnected.Task.WaitAsync(stoppingToken).ConfigureAwait(false);
                    Log.Disconnected(_logger, ClientId, reason);
                }
                catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
                {
                    Log.ConnectFailed(_logger, ex, ClientId, endpoint, _reconnectDelay);
                    await DisconnectQuietlyAsync(stoppingToken).ConfigureAwait(false);
                }
                finally
                {
                    Client.DisconnectedAsync -= OnDisconnected;
                }

                await Task.Delay(_reconnectDelay, _time, stoppingToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    /// <summary>
    /// Ends this connection's session for good, for a configuration that no longer uses it (<c>Mqtt:EventsSession</c>
    /// turned off on an external broker, which keeps sessions across FleetControl's restarts). Once
    /// <paramref name="ownerSubscribed"/> completes (the connection that took over its filters has subscribed to them), it
    /// connects to the session; when the broker still keeps it, it drops the session's subscriptions and takes what it
    /// holds (messages queued while FleetControl was down reach the receive handlers as on any connection) until nothing
    /// has arrived for <paramref name="quiet"/>. Then it connects once more with a clean start and no expiry, which makes
    /// the broker delete the session. Left alone, the broker would queue every urgent message for a session nobody reads
    /// until it expired (<c>Mqtt:SessionExpiry</c>, a week by default). Runs once; a failure is logged, not retried.
    /// </summary>
    public async Task RetireAsync(Task ownerSubscribed, TimeSpan quiet, CancellationToken stoppingToken)
    {
        var received = 0;
        var lastReceived = _time.GetTimestamp();
        Task OnReceived(MqttApplicationMessageReceivedEventArgs e)
        {
            Interlocked.Increment(ref received);
            Interlocked.Exchange(ref lastReceived, _time.GetTimestamp());
            return Task.CompletedTask;
        }

        try
        {
            await ownerSubscribed.WaitAsync(stoppingToken).ConfigureAwait(false);
            Client.ApplicationMessageReceivedAsync += OnReceived;
            bool present;
            try
            {
                var connect = await Client.ConnectAsync(_options, stoppingToken).ConfigureAwait(false);
                if (connect.ResultCode != MqttClientConnectResultCode.Success)
                {
                    throw new InvalidOperationException($"The broker refused the connection of {ClientId}: {connect.ResultCode} {connect.ReasonString}");
                }

                present = connect.IsSessionPresent;
                if (present)
                {
                    await UnsubscribeAsync(Filters, stoppingToken).ConfigureAwait(false);
                    for (var since = TimeSpan.Zero; since < quiet; since = _time.GetElapsedTime(Interlocked.Read(ref lastReceived)))
                    {
                        await Task.Delay(quiet - since, _time, stoppingToken).ConfigureAwait(false);
                    }
                }

                await Client.DisconnectAsync(new MqttClientDisconnectOptionsBuilder().Build(), stoppingToken).ConfigureAwait(false);
            }
            finally
            {
                Client.ApplicationMessageReceivedAsync -= OnReceived;
            }

            // A clean start discards the session; no expiry means the one it opens ends with this connection.
            _options.CleanSession = true;
            _options.SessionExpiryInterval = 0;
            await Client.ConnectAsync(_options, stoppingToken).ConfigureAwait(false);
            await Client.DisconnectAsync(new MqttClientDisconnectOptionsBuilder().Build(), stoppingToken).ConfigureAwait(false);
            Log.SessionRetired(_logger, ClientId, present, received);
            _retired.TrySetResult(true);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
        {
            Log.SessionRetireFailed(_logger, ex, ClientId);
            await DisconnectQuietlyAsync(CancellationToken.None).ConfigureAwait(false);
        }
        finally
        {
            _retired.TrySetResult(false);
        }
    }

    /// <summary>Disconnects normally, which keeps the persistent session (and its queued messages) in the broker.</summary>
    public async Task DisconnectQuietlyAsync(CancellationToken cancellationToken)
    {
        if (!Client.IsConnected)
        {
            return;
        }

        try
        {
            await Client.DisconnectAsync(new MqttClientDisconnectOptionsBuilder().Build(), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Log.Disconnected(_logger, ClientId, ex.Message);
        }
    }

    public void Dispose() => Client.Dispose();

    private async Task SubscribeAsync(CancellationToken cancellationToken)
    {
        var builder = new MqttClientSubscribeOptionsBuilder();
        foreach (var filter in Filters)
        {
            builder.WithTopicFilter(f => f.WithTopic(filter).WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce));
        }

        var result = await Client.SubscribeAsync(builder.Build(), cancellationToken).ConfigureAwait(false);
        foreach (var item in result.Items)
        {
            if (item.ResultCode > MqttClientSubscribeResultCode.GrantedQoS2)
            {
                Log.SubscribeRefused(_logger, ClientId, item.TopicFilter.Topic, item.ResultCode.ToString());
                throw new InvalidOperationException($"The broker refused the subscription of {ClientId} to {item.TopicFilter.Topic}: {item.ResultCode}.");
            }
        }
    }

    /// <summary>
    /// Unsubscribes from the filters another connection now owns once that one has subscribed to them: a message
    /// published in between reaches both sessions (the store dedupes it), never neither. While the other connection
    /// cannot subscribe (refused by the broker's ACL, say) this one keeps them, so nothing goes undelivered.
    /// </summary>
    private async Task DropHandedOverAsync(Task disconnected, CancellationToken cancellationToken)
    {
        if (_handedOver.Count == 0 || await Task.WhenAny(_handOverWhen, disconnected).WaitAsync(cancellationToken).ConfigureAwait(false) == disconnected)
        {
            return;
        }

        await UnsubscribeAsync(_handedOver, cancellationToken).ConfigureAwait(false);
    }

    private async Task UnsubscribeAsync(IReadOnlyList<string> filters, CancellationToken cancellationToken)
    {
        var unsubscribe = new MqttClientUnsubscribeOptionsBuilder();
        foreach (var filter in filters)
        {
            unsubscribe.WithTopicFilter(filter); // "no subscription existed" is the usual answer, and fine
        }

        await Client.UnsubscribeAsync(unsubscribe.Build(), cancellationToken).ConfigureAwait(false);
    }
}
