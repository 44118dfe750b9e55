using System.Buffers;
using System.Net;
using EdgeGateway.Contracts;
using EdgeGateway.Contracts.V1;
using EdgeGateway.Mqtt.KeepAlive;
using FleetControl.Commands;
using FleetControl.Identity;
using FleetControl.Mqtt;
using FleetControl.Store;
using Google.Protobuf;
using Microsoft.Extensions.Options;
using MQTTnet;
using MQTTnet.Protocol;

namespace FleetControl.Ingest;

/// <summary>
/// FleetControl's MQTT client, the same for the embedded and an external broker. It subscribes to
/// every device's uplink topics and status with QoS 1 on a persistent session (clean start off,
/// long session expiry) so messages published while FleetControl is down wait in the broker. Valid
/// envelopes go to the <see cref="IngestWriter"/>; the PUBACK is withheld until they are committed.
/// </summary>
internal sealed class MqttIngestClient(
    IngestQueue queue,
    IFleetStore store,
    IngestStats stats,
    IngestClientIdentity identity,
    CommandInbox commands,
    TimeProvider time,
    IOptions<MqttOptions> options,
    TransportSecurity security,
    CertificateAuthority authority,
    ILogger<MqttIngestClient> logger,
    Alerts.ClockOffsetTracker? clocks = null) : BackgroundService, IAckPublisher, ICommandPublisher
{
    private readonly MqttOptions _options = options.Value;
    // The keep-alive sleeps between pings (EdgeGateway.Mqtt/KeepAlive) instead of MQTTnet's 250 ms loop; the
    // adapter puts Mqtt:KeepAlive into the CONNECT. System clock: it is about a real socket.
    private readonly IMqttClient _client = new MqttClientFactory().CreateMqttClient(new KeepAliveAdapterFactory(options.Value.KeepAlive, TimeProvider.System));
    private readonly CancellationTokenSource _stopping = new();

    /// <summary>Subscription filters, shared (<c>$share/{group}/...</c>) when a group is configured.</summary>
    internal IReadOnlyList<string> Filters { get; } = BuildFilters(options.Value.SharedSubscriptionGroup);

    internal bool IsConnected => _client.IsConnected;

    /// <summary>Completes when the first subscription is in place (tests and the start-up summary wait on it).</summary>
    internal Task Subscribed => _subscribed.Task;

    private readonly TaskCompletionSource _subscribed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>
    /// A message on a broker control topic (<c>$CONTROL/...</c>, e.g. the answers of mosquitto's dynamic security
    /// plugin to <see cref="PublishControlAsync"/>): topic and payload. Never treated as device traffic.
    /// </summary>
    internal event Action<string, byte[]>? ControlMessageReceived;

    /// <summary>
    /// Sends a request to the broker itself on this connection (an external mosquitto's <c>$CONTROL/...</c> topics,
    /// which its ACL grants FleetControl's ingest identity), first subscribing to <paramref name="responseTopic"/>.
    /// Returns null when the broker took it, otherwise why not (not connected, subscription or publish refused).
    /// </summary>
    internal async Task<string?> PublishControlAsync(string topic, string responseTopic, byte[] payload, CancellationToken cancellationToken)
    {
        if (!_client.IsConnected)
        {
            return "FleetControl is not connected to the broker";
        }

        try
        {
            var subscribe = await _client.SubscribeAsync(new MqttClientSubscribeOptionsBuilder()
                .WithTopicFilter(f => f.WithTopic(responseTopic).WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)).Build(), cancellationToken).ConfigureAwait(false);
            if (subscribe.Items.FirstOrDefault() is { ResultCode: > MqttClientSubscribeResultCode.GrantedQoS2 } refused)
            {
                return $"the broker refused the subscription to {responseTopic}: {refused.ResultCode}";
            }

            var result = await _client.PublishAsync(new MqttApplicationMessageBuilder().WithTopic(topic).WithPayload(payload)
                .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build(), cancellationToken).ConfigureAwait(false);
            return result.IsSuccess ? null : $"the broker refused the publish to {topic}: {result.ReasonCode} {result.ReasonString}".TrimEnd();
        }
        catch (Exception ex) when (ex is MQTTnet.Exceptions.MqttCommunicationException or InvalidOperationException)
        {
            return ex.Message;
        }
    }

    public async Task<bool> PublishAckAsync(string deviceId, DeliveryAck ack, CancellationToken cancellationToken)
    {
        if (!_client.IsConnected)
        {
            return false;
        }

        var message = new MqttApplicationMessageBuilder()
            .WithTopic(Topics.Acks(deviceId))
            .WithPayload(ack.ToByteArray())
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .Build();
        var result = await _client.PublishAsync(message, cancellationToken).ConfigureAwait(false);
        return result.IsSuccess;
    }

    public async Task<bool> PublishCommandAsync(Command command, CancellationToken cancellationToken)
    {
        if (!_client.IsConnected)
        {
            return false;
        }

        var message = new MqttApplicationMessageBuilder()
            .WithTopic(Topics.Command(command.DeviceId, command.CommandId))
            .WithPayload(command.ToByteArray())
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .Build();
        try
        {
            var result = await _client.PublishAsync(message, cancellationToken).ConfigureAwait(false);
            return result.IsSuccess;
        }
        catch (Exception ex) when (ex is MQTTnet.Exceptions.MqttCommunicationException or InvalidOperationException)
        {
            return false; // disconnected meanwhile: re-sent when the device (or FleetControl) reconnects
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        _client.ApplicationMessageReceivedAsync += OnMessageReceivedAsync;
        var (host, port) = BrokerAddress();
        var clientOptions = BuildClientOptions(host, port);
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

                _client.DisconnectedAsync += OnDisconnected;
                try
                {
                    Log.Connecting(logger, host, port, _options.ClientId, _options.SessionExpiry);
                    var connect = await _client.ConnectAsync(clientOptions, stoppingToken).ConfigureAwait(false);
                    if (connect.ResultCode != MqttClientConnectResultCode.Success)
                    {
                        throw new InvalidOperationException($"The broker refused the connection: {connect.ResultCode} {connect.ReasonString}");
                    }

                    await SubscribeAsync(stoppingToken).ConfigureAwait(false);
                    Log.Connected(logger, connect.IsSessionPresent, string.Join(", ", Filters));
                    _subscribed.TrySetResult();
                    var reason = await disconnected.Task.WaitAsync(stoppingToken).ConfigureAwait(false);
                    Log.Disconnected(logger, reason);
                }
                catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
                {
                    Log.ConnectFailed(logger, ex, host, port, _options.ReconnectDelay);
                    await DisconnectQuietlyAsync(stoppingToken).ConfigureAwait(false);
                }
                finally
                {
                    _client.DisconnectedAsync -= OnDisconnected;
                }

                await Task.Delay(_options.ReconnectDelay, time, stoppingToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        // Releases a receive handler waiting for room in a full queue; its message stays unacknowledged.
        await _stopping.CancelAsync().ConfigureAwait(false);
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
        await DisconnectQuietlyAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task DisconnectQuietlyAsync(CancellationToken cancellationToken)
    {
        if (!_client.IsConnected)
        {
            return;
        }

        try
        {
            // A normal disconnect keeps the persistent session (and its queued messages) in the broker.
            await _client.DisconnectAsync(new MqttClientDisconnectOptionsBuilder().Build(), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Log.Disconnected(logger, ex.Message);
        }
    }

    public override void Dispose()
    {
        _client.Dispose();
        _stopping.Dispose();
        base.Dispose();
    }

    private async Task SubscribeAsync(CancellationToken cancellationToken)
    {
        var builder = new MqttClientSubscribeOptionsBuilder();
        foreach (var filter in Filters)
        {
            builder.WithTopicFilter(f => f.WithTopic(filter).WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce));
        }

        var result = await _client.SubscribeAsync(builder.Build(), cancellationToken).ConfigureAwait(false);
        foreach (var item in result.Items)
        {
            if (item.ResultCode > MqttClientSubscribeResultCode.GrantedQoS2)
            {
                Log.SubscribeRefused(logger, item.TopicFilter.Topic, item.ResultCode.ToString());
                throw new InvalidOperationException($"The broker refused the subscription to {item.TopicFilter.Topic}: {item.ResultCode}.");
            }
        }
    }

    private async Task OnMessageReceivedAsync(MqttApplicationMessageReceivedEventArgs e)
    {
        var topic = e.ApplicationMessage.Topic;
        if (topic.StartsWith("$CONTROL/", StringComparison.Ordinal))
        {
            ControlMessageReceived?.Invoke(topic, e.ApplicationMessage.Payload.ToArray());
            return;
        }

        if (!Topics.TryParse(topic, out var deviceId, out var rest) || !Topics.IsValidDeviceId(deviceId))
        {
            stats.OnRejectedPayload();
            Log.PayloadRejected(logger, topic, "topic_outside_contract");
            return;
        }

        if (rest == "status")
        {
            await ApplyStatusAsync(deviceId, e).ConfigureAwait(false);
            return;
        }

        if (rest.StartsWith("command-results/", StringComparison.Ordinal))
        {
            ApplyCommandResult(deviceId, e);
            return;
        }

        EnvelopeBatch batch;
        try
        {
            batch = EnvelopeBatch.Parser.ParseFrom(e.ApplicationMessage.Payload);
        }
        catch (InvalidProtocolBufferException ex)
        {
            stats.OnRejectedPayload();
            Log.PayloadRejected(logger, topic, "not_an_envelope_batch: " + ex.Message);
            return;
        }

        var valid = new List<Envelope>(batch.Envelopes.Count);
        foreach (var envelope in batch.Envelopes)
        {
            var reason = EnvelopeValidator.Validate(envelope, deviceId);
            if (reason is null)
            {
                valid.Add(envelope);
            }
            else
            {
                stats.OnRejectedEnvelope();
                Log.EnvelopeRejected(logger, envelope.MessageId, topic, reason);
            }
        }

        if (valid.Count == 0)
        {
            return;
        }

        if (clocks is not null && valid.Where(v => v.CapturedAt is not null).MaxBy(v => v.CapturedAt) is { } newest)
        {
            clocks.OnEnvelope(deviceId, newest.CapturedAt.ToDateTimeOffset()); // the least delayed of the batch
        }

        // QoS 1: hold the PUBACK until the writer has committed, so the broker redelivers after a crash.
        Func<CancellationToken, Task>? complete = null;
        if (e.ApplicationMessage.QualityOfServiceLevel != MqttQualityOfServiceLevel.AtMostOnce)
        {
            e.AutoAcknowledge = false;
            complete = e.AcknowledgeAsync;
        }

        try
        {
            await queue.Writer.WriteAsync(new IngestBatch(deviceId, valid, complete), _stopping.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            // Stopping: not stored, not acknowledged; the broker and the device re-send it.
        }
    }

    private void ApplyCommandResult(string deviceId, MqttApplicationMessageReceivedEventArgs e)
    {
        CommandResult result;
        try
        {
            result = CommandResult.Parser.ParseFrom(e.ApplicationMessage.Payload);
        }
        catch (InvalidProtocolBufferException ex)
        {
            stats.OnRejectedPayload();
            Log.PayloadRejected(logger, e.ApplicationMessage.Topic, "not_a_command_result: " + ex.Message);
            return;
        }

        if (result.DeviceId != deviceId)
        {
            stats.OnRejectedPayload();
            Log.PayloadRejected(logger, e.ApplicationMessage.Topic, "command_result_device_mismatch");
            return;
        }

        // A lost result is recovered: the command stays Sent, is re-published when the device next comes
        // online, and the device answers a known id with its stored result.
        commands.Result(result);
    }

    private async Task ApplyStatusAsync(string deviceId, MqttApplicationMessageReceivedEventArgs e)
    {
        if (e.ApplicationMessage.Payload.IsEmpty)
        {
            return; // a cleared retained status
        }

        DeviceStatus status;
        try
        {
            status = DeviceStatus.Parser.ParseFrom(e.ApplicationMessage.Payload);
        }
        catch (InvalidProtocolBufferException ex)
        {
            stats.OnRejectedPayload();
            Log.PayloadRejected(logger, e.ApplicationMessage.Topic, "not_a_device_status: " + ex.Message);
            return;
        }

        if (status.Online && status.At is not null && !e.ApplicationMessage.Retain)
        {
            clocks?.OnLiveStatus(deviceId, status.At.ToDateTimeOffset()); // a retained replay is old, not live
        }

        await store.UpdateStatusAsync(deviceId, status, time.GetUtcNow(), CancellationToken.None).ConfigureAwait(false);
        stats.OnStatus();
        if (status.Online)
        {
            commands.DeviceOnline(deviceId);
        }

        Log.StatusApplied(logger, deviceId, status.Online);
    }

    private (string Host, int Port) BrokerAddress()
    {
        if (_options.Mode == MqttMode.External)
        {
            return (_options.Host, _options.Port);
        }

        var bind = IPAddress.Parse(_options.BindAddress);
        var host = bind.Equals(IPAddress.Any) ? "127.0.0.1" : bind.Equals(IPAddress.IPv6Any) ? "::1" : _options.BindAddress;
        return (host, _options.Port);
    }

    private MqttClientOptions BuildClientOptions(string host, int port)
    {
        var builder = new MqttClientOptionsBuilder()
            .WithTcpServer(host, port)
            .WithClientId(_options.ClientId)
            .WithProtocolVersion(MQTTnet.Formatter.MqttProtocolVersion.V500)
            .WithCleanStart(false)
            .WithSessionExpiryInterval((uint)Math.Min(uint.MaxValue, _options.SessionExpiry.TotalSeconds))
            .WithKeepAlivePeriod(TimeSpan.Zero) // MQTTnet's loop off: the keep-alive adapter keeps Mqtt:KeepAlive
            .WithTimeout(TimeSpan.FromSeconds(10));

        if (security.IsTlsEnabled)
        {
            // FleetControl's own client certificate (CN = Mqtt:ClientId, which no device can enrol as); the
            // broker must present a certificate of the same authority.
            var certificate = authority.IssueServiceClientCertificate(_options.ClientId);
            var anchor = authority.Root;
            builder.WithTlsOptions(tls => tls
                .UseTls()
                .WithSslProtocols(System.Security.Authentication.SslProtocols.Tls12 | System.Security.Authentication.SslProtocols.Tls13)
                .WithClientCertificates([certificate])
                .WithCertificateValidationHandler(e => EdgeGateway.Contracts.Security.ServerCertificateCheck.IsTrusted(e.Certificate, e.SslPolicyErrors, anchor)));
        }

        if (_options.Mode == MqttMode.Embedded)
        {
            builder.WithCredentials(IngestClientIdentity.UserName, identity.Password);
        }
        else if (!string.IsNullOrEmpty(_options.Username))
        {
            builder.WithCredentials(_options.Username, _options.Password ?? string.Empty);
        }

        return builder.Build();
    }

    internal static IReadOnlyList<string> BuildFilters(string? sharedGroup)
    {
        var filters = Topics.IngestFilters.Append(Topics.StatusFilter).Append(Topics.CommandResultsFilter);
        return string.IsNullOrEmpty(sharedGroup)
            ? filters.ToList()
            : filters.Select(f => $"$share/{sharedGroup}/{f}").ToList();
    }
}
