using System.Net.Sockets;
using System.Threading.Channels;
using EdgeGateway.Contracts;
using EdgeGateway.Contracts.V1;
using EdgeGateway.Health;
using EdgeGateway.Hosting;
using EdgeGateway.Outbox;
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
/// Drains the outbox to FleetControl over MQTT 5 (QoS 1, persistent session). A message leaves the
/// outbox only when FleetControl's DeliveryAck names it; PUBACK only proves the broker has it.
/// Several batches are kept in flight; when acks are overdue or the link drops, every lease goes
/// back to the outbox and is re-sent (FleetControl deduplicates on message id).
/// </summary>
/// <remarks>
/// One connection loop (connect, drain until the link drops, back off, repeat) and one ack pump.
/// The drain loop leases as much as the in-flight window and the pacing bucket allow; when either is
/// full it still wakes on every outbox signal and leases a single message, so an Emergency or Alert
/// is published at once (bypassing window and pacing) while a backlog waits for acks.
/// </remarks>
internal sealed class MqttUplinkService : BackgroundService
{
    /// <summary>
    /// Least gap between two blocked-state probes after one turned up a non-urgent message. It bounds
    /// the probing cost (one store lease each) and the extra messages held while acks are slow; it is
    /// also the worst-case extra delay of an Emergency while the window is full.
    /// </summary>
    private static readonly TimeSpan ProbeGap = TimeSpan.FromMilliseconds(50);

    /// <summary>Most QoS 1 publishes awaiting PUBACK at once (further bounded by the broker's receive maximum).</summary>
    private const int MaxPendingPublishes = 32;

    /// <summary>
    /// Most ids handed to one <see cref="IOutbox.AcknowledgeAsync"/>: acks are coalesced into few store
    /// transactions, but a bounded one, so an urgent lease never waits long behind a big delete.
    /// </summary>
    // Deletes hold the outbox lock; small chunks let urgent enqueues and leases in between.
    private const int MaxIdsPerAcknowledge = 200;

    private readonly IOutbox _outbox;
    private readonly MqttUplinkOptions _options;
    private readonly GatewayOptions _gateway;
    private readonly LinkStateMachine _link;
    private readonly UplinkCounters _counters;
    private readonly TimeProvider _time;
    private readonly ILogger<MqttUplinkService> _logger;
    private readonly InFlightWindow _window = new();
    private readonly AutoResetSignal _wake = new();
    private readonly Channel<string[]> _acks = Channel.CreateUnbounded<string[]>(new UnboundedChannelOptions { SingleReader = true });
    private readonly string _ackTopic;
    private readonly string _statusTopic;
    private TaskCompletionSource<string>? _linkLost;

    public MqttUplinkService(
        IOutbox outbox,
        IOptions<MqttUplinkOptions> options,
        IOptions<GatewayOptions> gateway,
        LinkStateMachine link,
        UplinkCounters counters,
        TimeProvider time,
        ILogger<MqttUplinkService> logger)
    {
        _outbox = outbox;
        _options = options.Value;
        _gateway = gateway.Value;
        _link = link;
        _counters = counters;
        _time = time;
        _logger = logger;
        _ackTopic = Topics.Acks(_gateway.DeviceId);
        _statusTopic = Topics.Status(_gateway.DeviceId);
    }

    internal static bool IsUrgent(PriorityClass priority) => priority is PriorityClass.Emergency or PriorityClass.Alert;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Start-up must not wait for the broker (or for anything else).
        await Task.Yield();

        using var client = new MqttClientFactory().CreateMqttClient();
        client.ApplicationMessageReceivedAsync += OnMessageReceivedAsync;
        client.DisconnectedAsync += OnDisconnectedAsync;
        var ackPump = PumpAcksAsync(stoppingToken);
        var backoff = new ReconnectBackoff(_options.ReconnectMin, _options.ReconnectMax, Random.Shared);
        var connectedBefore = false;
        try
        {
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

                var returned = ReturnAllLeases(drain: null);
                Log.ConnectionLost(_logger, reason, returned);
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
            ReturnAllLeases(drain: null);
            _link.Fire(LinkTrigger.Disconnected, "uplink stopped");
            _acks.Writer.TryComplete();
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
    /// Waits out one backoff delay. If the broker was unreachable, a bare TCP connect every
    /// <see cref="MqttUplinkOptions.ReachabilityProbeInterval"/> ends the wait as soon as it is back; a
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
            return true;
        }
        catch (Exception exception) when (exception is SocketException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }

    /// <summary>
    /// True unless the broker answered and refused (CONNACK failure, protocol or configuration error):
    /// those wait out the full backoff instead of being retried as soon as the port accepts.
    /// </summary>
    private static bool IsTransportFailure(Exception exception) =>
        exception is not (MqttConnectingFailedException or MqttProtocolViolationException or MqttConfigurationException);

    private async Task<(MqttClientConnectResult? Result, string? Error, bool Unreachable)> TryConnectAsync(IMqttClient client, CancellationToken cancellationToken)
    {
        try
        {
            var result = await client.ConnectAsync(BuildClientOptions(), cancellationToken).ConfigureAwait(false);
            if (result.ResultCode != MqttClientConnectResultCode.Success)
            {
                return (null, $"broker refused the connection: {result.ResultCode} {result.ReasonString}", false);
            }

            var subscribe = new MqttClientSubscribeOptionsBuilder()
                .WithTopicFilter(_ackTopic, MqttQualityOfServiceLevel.AtLeastOnce)
                .Build();
            var subscribed = await client.SubscribeAsync(subscribe, cancellationToken).ConfigureAwait(false);
            if (subscribed.Items.Any(item => item.ResultCode > MqttClientSubscribeResultCode.GrantedQoS2))
            {
                await client.DisconnectAsync(new MqttClientDisconnectOptions(), cancellationToken).ConfigureAwait(false);
                return (null, $"broker refused the subscription to {_ackTopic}: {subscribed.Items.First().ResultCode}", false);
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
            .WithKeepAlivePeriod(_options.KeepAlive)
            .WithTimeout(_options.CommunicationTimeout)
            .WithWillTopic(_statusTopic)
            .WithWillPayload(will.ToByteArray())
            .WithWillRetain(true)
            .WithWillQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce);
        if (!string.IsNullOrEmpty(_options.Username))
        {
            builder = builder.WithCredentials(_options.Username, _options.Password ?? string.Empty);
        }

        return builder.Build();
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
            _wake.Set();
        }

        return Task.CompletedTask;
    }

    private Task OnMessageReceivedAsync(MqttApplicationMessageReceivedEventArgs args)
    {
        var message = args.ApplicationMessage;
        if (!string.Equals(message.Topic, _ackTopic, StringComparison.Ordinal))
        {
            return Task.CompletedTask;
        }

        try
        {
            var ack = DeliveryAck.Parser.ParseFrom(message.Payload);
            if (ack.MessageIds.Count > 0)
            {
                _acks.Writer.TryWrite([.. ack.MessageIds]);
            }
        }
        catch (InvalidProtocolBufferException exception)
        {
            Log.MalformedAck(_logger, message.Topic, exception);
        }

        return Task.CompletedTask;
    }

    /// <summary>Deletes acknowledged messages from the outbox, frees window space, wakes the drain loop.</summary>
    private async Task PumpAcksAsync(CancellationToken cancellationToken)
    {
        await Task.Yield();
        var reader = _acks.Reader;
        var ids = new List<string>();
        while (await reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
        {
            ids.Clear();
            while (ids.Count < MaxIdsPerAcknowledge && reader.TryRead(out var batch))
            {
                ids.AddRange(batch);
            }

            var acknowledged = ids.ToArray();
            try
            {
                await _outbox.AcknowledgeAsync(acknowledged, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                Log.AcknowledgeFailed(_logger, acknowledged.Length, exception);
                continue;
            }

            _window.Acknowledge(acknowledged);
            _counters.Acked(acknowledged.Length);
            _link.Fire(LinkTrigger.AckReceived, "acknowledgements arriving");
            _wake.Set();
        }
    }

    private async Task<string> DrainUntilLinkLostAsync(
        IMqttClient client, MqttClientConnectResult connected, Task<string> lost, CancellationToken stoppingToken)
    {
        using var linkScope = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        var drain = DrainAsync(client, connected, linkScope.Token);
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

    private async Task DrainAsync(IMqttClient client, MqttClientConnectResult connected, CancellationToken cancellationToken)
    {
        var drain = new DrainState(
            new TokenBucket(_options.MaxMessagesPerSecond, Math.Max(_options.MaxBatch, _options.MaxMessagesPerSecond / 10.0), _time),
            new SemaphoreSlim(Math.Clamp((int)(connected.ReceiveMaximum ?? MaxPendingPublishes), 1, MaxPendingPublishes)));
        using var timer = _time.CreateTimer(_ => _wake.Set(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        var held = drain.Held;

        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (!client.IsConnected)
            {
                // The disconnect handler completes the lost-link task; wait for it to cancel us.
                await _wake.WaitAsync(cancellationToken).ConfigureAwait(false);
                continue;
            }

            var oldest = _window.OldestSentTimestamp();
            if (oldest is { } sent && _time.GetElapsedTime(sent) >= _options.AckTimeout)
            {
                _counters.AckTimedOut();
                Log.AckTimeout(_logger, _options.AckTimeout, _window.Count);
                _link.Fire(LinkTrigger.AcksOverdue, $"no DeliveryAck within {_options.AckTimeout}");
                ReturnAllLeases(drain);
                continue;
            }

            if (drain.OutboxWait is { IsCompleted: true } signalled)
            {
                await signalled.ConfigureAwait(false);
                drain.OutboxWait = null;
                drain.MayHaveMore = true;
                drain.ProbePending = true;
            }

            if (drain.LeasedExpired > 0 && held.Count == 0 && _window.Count == 0)
            {
                // Expired messages stay leased until released; with nothing in flight that costs no re-sends.
                ReturnAllLeases(drain);
            }

            var room = _options.MaxInFlight - _window.Count;
            var budget = Math.Min(room, drain.Bucket.Available);
            if (held.Count > 0 && budget > 0)
            {
                var take = Math.Min(budget, held.Count);
                var next = held.GetRange(0, take);
                held.RemoveRange(0, take);
                await PublishLeasedAsync(client, drain, next, cancellationToken).ConfigureAwait(false);
                continue;
            }

            if (held.Count == 0 && budget > 0 && drain.MayHaveMore)
            {
                drain.OutboxWait ??= WaitForOutboxAsync(cancellationToken);
                drain.ProbePending = false;
                var leased = await _outbox.LeaseAsync(Math.Min(_options.MaxLease, budget), cancellationToken).ConfigureAwait(false);
                drain.MayHaveMore = leased.Count > 0;
                await PublishLeasedAsync(client, drain, leased, cancellationToken).ConfigureAwait(false);
                continue;
            }

            var canProbe = budget <= 0 && held.Count < _options.MaxInFlight;
            var now = _time.GetTimestamp();
            if (canProbe && drain.ProbePending && now >= drain.NextProbeAt)
            {
                // Window or pacing full: lease one message; the outbox hands out the most urgent first.
                drain.OutboxWait ??= WaitForOutboxAsync(cancellationToken);
                drain.ProbePending = false;
                var probe = await _outbox.LeaseAsync(1, cancellationToken).ConfigureAwait(false);
                if (probe.Count == 0)
                {
                    drain.MayHaveMore = false;
                }
                else if (IsUrgent(probe[0].Priority))
                {
                    await PublishLeasedAsync(client, drain, probe, cancellationToken).ConfigureAwait(false);
                    drain.ProbePending = true;
                }
                else
                {
                    held.AddRange(probe);
                    drain.NextProbeAt = now + (long)(ProbeGap.TotalSeconds * _time.TimestampFrequency);
                }

                continue;
            }

            // Nothing to do until an ack, an outbox signal, a refill, a deadline or the link drops.
            var due = Timeout.InfiniteTimeSpan;
            if (oldest is { } pending)
            {
                due = Min(due, _options.AckTimeout - _time.GetElapsedTime(pending));
            }

            if (room > 0 && budget <= 0 && (held.Count > 0 || drain.MayHaveMore))
            {
                var wanted = (int)Math.Clamp(_options.MaxMessagesPerSecond / 100L, 1, Math.Min(_options.MaxBatch, room));
                due = Min(due, drain.Bucket.TimeUntilAvailable(wanted));
            }

            if (canProbe && drain.ProbePending)
            {
                due = Min(due, _time.GetElapsedTime(now, drain.NextProbeAt));
            }

            var wantsSignal = !drain.MayHaveMore || (canProbe && !drain.ProbePending);
            if (wantsSignal)
            {
                drain.OutboxWait ??= WaitForOutboxAsync(cancellationToken);
            }

            // Timeout.InfiniteTimeSpan is -1 ms: it must stay "never", not be clamped to "now" (that re-armed
            // the timer at 0 on every pass and spun the loop at ~1.8 cores while idle).
            timer.Change(due == Timeout.InfiniteTimeSpan ? Timeout.InfiniteTimeSpan : due < TimeSpan.Zero ? TimeSpan.Zero : due, Timeout.InfiniteTimeSpan);
            await _wake.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private static TimeSpan Min(TimeSpan current, TimeSpan candidate) =>
        current == Timeout.InfiniteTimeSpan || candidate < current ? candidate : current;

    private async Task WaitForOutboxAsync(CancellationToken cancellationToken)
    {
        try
        {
            await _outbox.WaitForMessagesAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _wake.Set();
        }
    }

    private async Task PublishLeasedAsync(IMqttClient client, DrainState drain, IReadOnlyList<OutboxMessage> leased, CancellationToken cancellationToken)
    {
        if (leased.Count == 0)
        {
            return;
        }

        var now = _time.GetUtcNow();
        var live = new List<OutboxMessage>(leased.Count);
        foreach (var message in leased)
        {
            if (IsExpired(message.ExpiresAt, now))
            {
                drain.LeasedExpired++;
            }
            else
            {
                live.Add(message);
            }
        }

        if (live.Count < leased.Count)
        {
            _counters.Expired(leased.Count - live.Count);
            Log.SkippedExpired(_logger, leased.Count - live.Count);
        }

        foreach (var batch in PublishBatch.Plan(live, _options.MaxBatch, _options.MaxBatchBytes))
        {
            await PublishBatchAsync(client, drain, batch, now, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task PublishBatchAsync(IMqttClient client, DrainState drain, PublishBatch batch, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await drain.PublishSlots.WaitAsync(cancellationToken).ConfigureAwait(false);
        var topic = Topics.ForEnvelope(_gateway.DeviceId, batch.Priority, batch.Stream);
        var builder = new MqttApplicationMessageBuilder()
            .WithTopic(topic)
            .WithPayload(EnvelopeBatchPayload.Build(batch.Messages))
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce);
        if (ExpiryIntervalSeconds(batch.Messages, now) is { } expiry)
        {
            builder = builder.WithMessageExpiryInterval(expiry);
        }

        var ids = new string[batch.Messages.Count];
        for (var i = 0; i < ids.Length; i++)
        {
            ids[i] = batch.Messages[i].MessageId;
        }

        _window.Add(ids, _time.GetTimestamp());
        drain.Bucket.Take(ids.Length);
        _counters.Published(ids.Length);
        _ = ObservePublishAsync(client, client.PublishAsync(builder.Build(), cancellationToken), drain.PublishSlots, ids.Length, topic, cancellationToken);
    }

    private async Task ObservePublishAsync(
        IMqttClient client, Task<MqttClientPublishResult> publish, SemaphoreSlim slots, int count, string topic, CancellationToken cancellationToken)
    {
        try
        {
            var result = await publish.ConfigureAwait(false);
            if (result.ReasonCode is not (MqttClientPublishReasonCode.Success or MqttClientPublishReasonCode.NoMatchingSubscribers))
            {
                PublishFailed(count, topic, $"{result.ReasonCode} {result.ReasonString}");
            }
        }
        catch (Exception exception) when (!cancellationToken.IsCancellationRequested && client.IsConnected)
        {
            PublishFailed(count, topic, exception.Message);
        }
        catch (Exception)
        {
            // The link is gone: the disconnect path returns these leases to the outbox.
        }
        finally
        {
            slots.Release();
        }
    }

    private void PublishFailed(int count, string topic, string error)
    {
        // The messages stay in the window: with no ack they time out and are re-sent.
        _counters.PublishFailed();
        Log.PublishFailed(_logger, count, topic, error);
        _link.Fire(LinkTrigger.PublishFailed, error);
    }

    /// <summary>Returns every lease to the outbox; returns how many published messages were still unacknowledged.</summary>
    private int ReturnAllLeases(DrainState? drain)
    {
        var inFlight = _window.Clear();
        if (drain is not null)
        {
            drain.Held.Clear();
            drain.LeasedExpired = 0;
            drain.MayHaveMore = true;
        }

        _outbox.ReleaseLeases();
        return inFlight;
    }

    /// <summary><see cref="DateTimeOffset.MinValue"/> and <see cref="DateTimeOffset.MaxValue"/> mean "never expires".</summary>
    internal static bool IsExpired(DateTimeOffset expiresAt, DateTimeOffset now) =>
        expiresAt != DateTimeOffset.MinValue && expiresAt != DateTimeOffset.MaxValue && expiresAt <= now;

    /// <summary>MQTT 5 message expiry: whole seconds (rounded up) until the batch's earliest expiry; null if none expires.</summary>
    internal static uint? ExpiryIntervalSeconds(IReadOnlyList<OutboxMessage> messages, DateTimeOffset now)
    {
        DateTimeOffset? earliest = null;
        foreach (var message in messages)
        {
            if (message.ExpiresAt != DateTimeOffset.MinValue && message.ExpiresAt != DateTimeOffset.MaxValue &&
                (earliest is null || message.ExpiresAt < earliest))
            {
                earliest = message.ExpiresAt;
            }
        }

        if (earliest is null)
        {
            return null;
        }

        var seconds = Math.Ceiling((earliest.Value - now).TotalSeconds);
        return (uint)Math.Clamp(seconds, 1, uint.MaxValue);
    }

    /// <summary>Per-connection state of the drain loop.</summary>
    private sealed class DrainState(TokenBucket bucket, SemaphoreSlim publishSlots)
    {
        public TokenBucket Bucket { get; } = bucket;

        public SemaphoreSlim PublishSlots { get; } = publishSlots;

        /// <summary>Leased while the window was full (non-urgent probe results, at most MaxInFlight); published first when it frees.</summary>
        public List<OutboxMessage> Held { get; } = [];

        public Task? OutboxWait { get; set; }

        public bool MayHaveMore { get; set; } = true;

        public bool ProbePending { get; set; } = true;

        public long NextProbeAt { get; set; }

        /// <summary>Leased messages skipped because they expired; they go back (and are counted) on the next release.</summary>
        public int LeasedExpired { get; set; }
    }
}
