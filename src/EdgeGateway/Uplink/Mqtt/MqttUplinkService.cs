using System.Buffers;
using System.Net.Sockets;
using EdgeGateway.Uplink.Drain;
using EdgeGateway.Contracts;
using EdgeGateway.Contracts.V1;
using EdgeGateway.Mqtt.KeepAlive;
using EdgeGateway.Health;
using EdgeGateway.Hosting;
using EdgeGateway.Outbox;
using EdgeGateway.Security;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MQTTnet;
using MQTTnet.Adapter;
using MQTTnet.Exceptions;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace EdgeGateway.Uplink.Mqtt;

/// <summary>
/// The MQTT session to FleetControl's broker: connect (MQTT 5, persistent session, last will), retained
/// online/offline status, the DeliveryAck subscription, jittered backoff with a reachability probe, and
/// the link state. While connected it runs the bearer-agnostic <see cref="DrainLoop"/> on an
/// <see cref="MqttBearer"/>; acknowledgements received here go to the drain loop, which frees the
/// window at once and deletes them from the outbox behind it.
/// </summary>
internal sealed class MqttUplinkService : BackgroundService, Hosting.Watchdog.ILivenessSource
{
    /// <summary>How long a probe's connection must stay open and quiet to count as a listening broker.</summary>
    private static readonly TimeSpan ProbeQuietTime = TimeSpan.FromMilliseconds(200);

    private readonly MqttUplinkOptions _options;
    private readonly GatewayOptions _gateway;
    private readonly LinkStateMachine _link;
    private readonly UplinkCounters _counters;
    private readonly TimeProvider _time;
    private readonly ILogger<MqttUplinkService> _logger;
    private readonly DrainLoop _drain;
    private readonly GatewayIdentity _identity;
    private readonly string _ackTopic;
    private readonly string _statusTopic;
    private readonly IReadOnlyList<IMqttDownlink> _downlinks;
    private TaskCompletionSource<string>? _linkLost;
    private CancellationToken _stopping;
    private IMqttClient? _client;

    public MqttUplinkService(
        IOutbox outbox,
        IOptions<MqttUplinkOptions> options,
        IOptions<GatewayOptions> gateway,
        LinkStateMachine link,
        UplinkCounters counters,
        TimeProvider time,
        GatewayIdentity identity,
        ILogger<MqttUplinkService> logger,
        IEnumerable<IMqttDownlink>? downlinks = null)
    {
        _downlinks = downlinks?.ToList() ?? [];
        _options = options.Value;
        _identity = identity;
        _gateway = gateway.Value;
        _link = link;
        _counters = counters;
        _time = time;
        _logger = logger;
        _drain = new DrainLoop(outbox, _options.ToDrainSettings(), counters, time, logger);
        _ackTopic = Topics.Acks(_gateway.DeviceId);
        _statusTopic = Topics.Status(_gateway.DeviceId);
    }

    /// <summary>The drain loop this session feeds (its state and wake-up count are observable).</summary>
    internal DrainLoop Drain => _drain;

    /// <summary>The drain loop's probe: the watchdog restarts a gateway whose drain is wedged.</summary>
    public Hosting.Watchdog.LivenessProbe Liveness => _drain.Liveness;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Start-up must not wait for the broker (or for anything else).
        await Task.Yield();
        _stopping = stoppingToken;

        // The keep-alive runs on one timer that sleeps between pings (EdgeGateway.Mqtt/KeepAlive), not in
        // MQTTnet's 250 ms loop. Wall-clock time: it is about a real socket, whatever clock the drain runs on.
        using var client = new MqttClientFactory().CreateMqttClient(new KeepAliveAdapterFactory(_options.KeepAlive, TimeProvider.System));
        Volatile.Write(ref _client, client);
        client.ApplicationMessageReceivedAsync += OnMessageReceivedAsync;
        client.DisconnectedAsync += OnDisconnectedAsync;
        var ackPump = _drain.RunAcknowledgementsAsync(stoppingToken);
        var backoff = new ReconnectBackoff(_options.ReconnectMin, _options.ReconnectMax, Random.Shared);
        var connectedBefore = false;
        try
        {
            // Without a certificate there is nothing to connect with; messages wait in the outbox meanwhile.
            await _identity.WaitReadyAsync(stoppingToken).ConfigureAwait(false);
            while (!stoppingToken.IsCancellationRequested)
            {
                var lost = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
                Volatile.Write(ref _linkLost, lost);
                var (connected, error, unreachable) = await TryConnectAsync(client, stoppingToken).ConfigureAwait(false);
                if (connected is null)
                {
                    var delay = backoff.Next();
                    Log.ConnectFailed(_logger, _options.Host, _options.Port, backoff.Attempt, delay, error ?? "unknown error");
                    await BackOffAsync(delay, probeReachability: unreachable, stoppingToken).ConfigureAwait(false);
                    continue;
                }

                backoff.Reset();
                _counters.Connected(_time.GetUtcNow(), connectedBefore);
                connectedBefore = true;
                Log.Connected(_logger, _options.Host, _options.Port, _gateway.DeviceId, connected.IsSessionPresent);
                _link.Fire(LinkTrigger.Connected, connected.IsSessionPresent ? "connected, session resumed" : "connected, new session");

                var reason = await DrainUntilLinkLostAsync(client, connected, lost.Task, stoppingToken).ConfigureAwait(false);
                if (stoppingToken.IsCancellationRequested)
                {
                    break;
                }

                Log.ConnectionLost(_logger, reason, _drain.LastReturned);
                _link.Fire(LinkTrigger.Disconnected, reason);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down.
        }
        finally
        {
            // The stopping token is already cancelled here; going offline gets its own short budget.
            await GoOfflineAsync(client, CancellationToken.None).ConfigureAwait(false);
            _link.Fire(LinkTrigger.Disconnected, "uplink stopped");
            _drain.CompleteAcknowledgements();
            try
            {
                await ackPump.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // The pump stops with the service.
            }
        }
    }

    /// <summary>
    /// Waits out one backoff delay. If the broker was unreachable, a TCP connect every
    /// <see cref="MqttUplinkOptions.ReachabilityProbeInterval"/> that the far end keeps open ends the wait as soon as it is back; a
    /// broker that answers but refuses (auth, busy) always gets the full delay.
    /// </summary>
    private async Task BackOffAsync(TimeSpan delay, bool probeReachability, CancellationToken cancellationToken)
    {
        var started = _time.GetTimestamp();
        while (true)
        {
            var remaining = delay - _time.GetElapsedTime(started);
            if (remaining <= TimeSpan.Zero)
            {
                return;
            }

            if (!probeReachability || remaining <= _options.ReachabilityProbeInterval)
            {
                await Task.Delay(remaining, _time, cancellationToken).ConfigureAwait(false);
                return;
            }

            await Task.Delay(_options.ReachabilityProbeInterval, _time, cancellationToken).ConfigureAwait(false);
            if (await IsReachableAsync(cancellationToken).ConfigureAwait(false))
            {
                Log.BrokerReachable(_logger, _options.Host, _options.Port);
                return;
            }
        }
    }

    private async Task<bool> IsReachableAsync(CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.CommunicationTimeout);
        using var probe = new TcpClient();
        try
        {
            await probe.ConnectAsync(_options.Host, _options.Port, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is SocketException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return false;
        }

        // A port that accepts and at once closes is not a broker that is back (a TCP proxy with no backend, a broker
        // shutting down, a modem's data path without coverage): connecting to it would fail again, every probe
        // interval. A broker (TLS or not) waits for the client's first bytes, so a connection still quiet after a
        // moment is one. Wall-clock time: this is about a real socket, whatever clock the backoff runs on.
        using var quiet = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        quiet.CancelAfter(ProbeQuietTime);
        try
        {
            return await probe.GetStream().ReadAsync(new byte[1], quiet.Token).ConfigureAwait(false) > 0;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return true; // still open and quiet: listening
        }
        catch (IOException)
        {
            return false; // reset by the peer
        }
    }

    /// <summary>
    /// True unless the broker answered and refused (protocol or configuration error; a CONNACK refusal
    /// arrives as a result code, not an exception): those wait out the full backoff instead of being
    /// retried as soon as the port accepts. MQTTnet wraps whatever broke the CONNECT exchange in
    /// <see cref="MqttConnectingFailedException"/>: a broker that is stopping accepts TCP and closes it
    /// ("Connection closed"), which is a transport failure, or a broker restart would cost the full backoff.
    /// </summary>
    internal static bool IsTransportFailure(Exception exception) => exception switch
    {
        MqttConnectingFailedException { InnerException: { } cause } => IsTransportFailure(cause),
        MqttConnectingFailedException or MqttProtocolViolationException or MqttConfigurationException => false,
        _ => true,
    };

    private async Task<(MqttClientConnectResult? Result, string? Error, bool Unreachable)> TryConnectAsync(IMqttClient client, CancellationToken cancellationToken)
    {
        try
        {
            var result = await client.ConnectAsync(BuildClientOptions(), cancellationToken).ConfigureAwait(false);
            if (result.ResultCode != MqttClientConnectResultCode.Success)
            {
                return (null, $"broker refused the connection: {result.ResultCode} {result.ReasonString}", false);
            }

            var subscribeBuilder = new MqttClientSubscribeOptionsBuilder()
                .WithTopicFilter(_ackTopic, MqttQualityOfServiceLevel.AtLeastOnce);
            foreach (var downlink in _downlinks)
            {
                subscribeBuilder = subscribeBuilder.WithTopicFilter(downlink.TopicFilter, MqttQualityOfServiceLevel.AtLeastOnce);
            }

            var subscribed = await client.SubscribeAsync(subscribeBuilder.Build(), cancellationToken).ConfigureAwait(false);
            if (subscribed.Items.FirstOrDefault(item => item.ResultCode > MqttClientSubscribeResultCode.GrantedQoS2) is { } refused)
            {
                await client.DisconnectAsync(new MqttClientDisconnectOptions(), cancellationToken).ConfigureAwait(false);
                return (null, $"broker refused the subscription to {refused.TopicFilter.Topic}: {refused.ResultCode}", false);
            }

            await PublishStatusAsync(client, online: true, cancellationToken).ConfigureAwait(false);
            return (result, null, false);
        }
        catch (Exception exception) when (!cancellationToken.IsCancellationRequested)
        {
            if (client.IsConnected)
            {
                try
                {
                    await client.DisconnectAsync(new MqttClientDisconnectOptions(), cancellationToken).ConfigureAwait(false);
                }
                catch (Exception)
                {
                    // Already broken; the next attempt starts afresh.
                }
            }

            return (null, exception.Message, IsTransportFailure(exception));
        }
    }

    private MqttClientOptions BuildClientOptions()
    {
        var will = new DeviceStatus
        {
            Online = false,
            Role = RoleName(),
            SoftwareVersion = GatewayVersion.Current,
        };
        var builder = new MqttClientOptionsBuilder()
            .WithTcpServer(_options.Host, _options.Port)
            .WithProtocolVersion(MqttProtocolVersion.V500)
            .WithClientId(_gateway.DeviceId)
            .WithCleanStart(false)
            .WithSessionExpiryInterval((uint)Math.Min(uint.MaxValue, _options.SessionExpiry.TotalSeconds))
            .WithKeepAlivePeriod(TimeSpan.Zero) // MQTTnet's loop off; the adapter puts Mqtt:KeepAlive into the CONNECT
            .WithTimeout(_options.CommunicationTimeout)
            .WithWillTopic(_statusTopic)
            .WithWillPayload(will.ToByteArray())
            .WithWillRetain(true)
            .WithWillQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce);
        if (!string.IsNullOrEmpty(_options.Username))
        {
            builder = builder.WithCredentials(_options.Username, _options.Password ?? string.Empty);
        }

        // Built per connect: a renewed certificate is used from the next connection on.
        return _identity.ApplyTls(builder).Build();
    }

    private async Task PublishStatusAsync(IMqttClient client, bool online, CancellationToken cancellationToken)
    {
        var status = new DeviceStatus
        {
            Online = online,
            Role = RoleName(),
            SoftwareVersion = GatewayVersion.Current,
            At = Timestamp.FromDateTimeOffset(_time.GetUtcNow()),
        };
        var message = new MqttApplicationMessageBuilder()
            .WithTopic(_statusTopic)
            .WithPayload(status.ToByteArray())
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .WithRetainFlag(true)
            .Build();
        await client.PublishAsync(message, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>"Vehicle" or "Dock", as FleetControl's registry spells it.</summary>
    private string RoleName() => _gateway.Role.ToString();

    private async Task GoOfflineAsync(IMqttClient client, CancellationToken cancellationToken)
    {
        if (!client.IsConnected)
        {
            return;
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(5));
        try
        {
            await PublishStatusAsync(client, online: false, timeout.Token).ConfigureAwait(false);
            Log.Stopping(_logger);
            var options = new MqttClientDisconnectOptionsBuilder()
                .WithReason(MqttClientDisconnectOptionsReason.NormalDisconnection)
                .Build();
            await client.DisconnectAsync(options, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception exception)
        {
            Log.OfflineStatusFailed(_logger, exception);
        }
    }

    private Task OnDisconnectedAsync(MqttClientDisconnectedEventArgs args)
    {
        if (args.ClientWasConnected)
        {
            var reason = args.Exception is null ? args.Reason.ToString() : $"{args.Reason}: {args.Exception.Message}";
            Volatile.Read(ref _linkLost)?.TrySetResult(reason);
            _drain.Wake();
        }

        return Task.CompletedTask;
    }

    private Task OnMessageReceivedAsync(MqttApplicationMessageReceivedEventArgs args)
    {
        var message = args.ApplicationMessage;
        if (!string.Equals(message.Topic, _ackTopic, StringComparison.Ordinal))
        {
            if (_downlinks.FirstOrDefault(d => d.Matches(message.Topic)) is { } downlink)
            {
                // Off the receive loop (acks keep flowing while a command runs); PUBACK once it is handled.
                args.AutoAcknowledge = false;
                _ = HandleDownlinkAsync(downlink, args, message.Topic, message.Payload.ToArray());
            }

            return Task.CompletedTask;
        }

        try
        {
            var ack = DeliveryAck.Parser.ParseFrom(message.Payload);
            if (ack.MessageIds.Count > 0)
            {
                _drain.Acknowledge([.. ack.MessageIds]);
                _link.Fire(LinkTrigger.AckReceived, "acknowledgements arriving");
            }
        }
        catch (InvalidProtocolBufferException exception)
        {
            Log.MalformedAck(_logger, message.Topic, exception);
        }

        return Task.CompletedTask;
    }

    private async Task HandleDownlinkAsync(IMqttDownlink downlink, MqttApplicationMessageReceivedEventArgs args, string topic, byte[] payload)
    {
        try
        {
            await downlink.HandleAsync(topic, payload, PublishReplyAsync, _stopping).ConfigureAwait(false);
            await args.AcknowledgeAsync(_stopping).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            // Not acknowledged: the broker redelivers it on the next connection.
            Log.DownlinkFailed(_logger, topic, exception);
        }
    }

    private async Task PublishReplyAsync(string topic, byte[] payload, CancellationToken cancellationToken)
    {
        var client = Volatile.Read(ref _client) ?? throw new InvalidOperationException("not connected");
        var message = new MqttApplicationMessageBuilder()
            .WithTopic(topic)
            .WithPayload(payload)
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .Build();
        var result = await client.PublishAsync(message, cancellationToken).ConfigureAwait(false);
        if (result.ReasonCode is not (MqttClientPublishReasonCode.Success or MqttClientPublishReasonCode.NoMatchingSubscribers))
        {
            throw new InvalidOperationException($"reply on {topic} refused: {result.ReasonCode} {result.ReasonString}");
        }
    }

    private async Task<string> DrainUntilLinkLostAsync(
        IMqttClient client, MqttClientConnectResult connected, Task<string> lost, CancellationToken stoppingToken)
    {
        using var linkScope = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        var bearer = new MqttBearer(client, _gateway.DeviceId, connected.ReceiveMaximum, _link, _counters, _time, _logger, linkScope.Token);
        var drain = _drain.RunAsync(bearer, linkScope.Token);
        await Task.WhenAny(drain, lost).ConfigureAwait(false);
        if (drain.IsFaulted && client.IsConnected && !lost.IsCompleted && !stoppingToken.IsCancellationRequested)
        {
            // Not a lost link: a store failure or a bug. Fatal, so the host stops and systemd restarts it.
            await drain.ConfigureAwait(false);
        }

        await linkScope.CancelAsync().ConfigureAwait(false);
        try
        {
            await drain.ConfigureAwait(false);
        }
        catch (Exception) when (linkScope.IsCancellationRequested)
        {
            // The drain loop ends when the link (or the service) does.
        }

        if (lost.IsCompleted)
        {
            return await lost.ConfigureAwait(false);
        }

        return drain.Exception?.GetBaseException().Message ?? "stopping";
    }
}
