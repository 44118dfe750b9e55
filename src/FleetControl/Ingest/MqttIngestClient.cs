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
/// FleetControl's MQTT client, the same for the embedded and an external broker. It subscribes to every device's
/// uplink topics and status with QoS 1 on persistent sessions (clean start off, long session expiry) so messages
/// published while FleetControl is down wait in the broker. Valid envelopes go to the <see cref="IngestWriter"/>; the
/// PUBACK is withheld until they are committed.
/// </summary>
/// <remarks>
/// Two connections, each an <see cref="IngestConnection"/> with a session of its own (unless
/// <c>Mqtt:EventsSession</c> is false): the events connection takes the urgent topics (<c>events/#</c>), the main one
/// everything else and sends what FleetControl publishes (DeliveryAcks, commands, broker control requests). A broker
/// delivers a session's messages in the order it queued them, so with one session an Emergency published while a
/// gateway drains its backlog waited behind every backlog message already queued for FleetControl.
/// </remarks>
internal sealed class MqttIngestClient : BackgroundService, IAckPublisher, ICommandPublisher
{
    private readonly IngestQueue _queue;
    private readonly IFleetStore _store;
    private readonly IngestStats _stats;
    private readonly CommandInbox _commands;
    private readonly TimeProvider _time;
    private readonly ILogger<MqttIngestClient> _logger;
    private readonly Alerts.ClockOffsetTracker? _clocks;
    private readonly IngestConnection _main;
    private readonly IngestConnection? _events;
    /// <summary>The events session of an earlier configuration, to retire (<c>Mqtt:EventsSession</c> off, external broker).</summary>
    private readonly IngestConnection? _retiring;
    private readonly CancellationTokenSource _stopping = new();

    public MqttIngestClient(
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
        Alerts.ClockOffsetTracker? clocks = null)
    {
        _queue = queue;
        _store = store;
        _stats = stats;
        _commands = commands;
        _time = time;
        _logger = logger;
        _clocks = clocks;
        var settings = options.Value;
        var (mainFilters, eventsFilters) = BuildFilters(settings.SharedSubscriptionGroup, settings.EventsSession);
        if (eventsFilters.Count > 0)
        {
            _events = new IngestConnection(BuildClientOptions(settings, settings.EventsClientId, identity, security, authority), eventsFilters, [],
                Task.CompletedTask, settings.KeepAlive, settings.ReconnectDelay, time, logger);
            _events.Client.ApplicationMessageReceivedAsync += OnMessageReceivedAsync;
        }

        _main = new IngestConnection(BuildClientOptions(settings, settings.ClientId, identity, security, authority), mainFilters, eventsFilters,
            _events?.Subscribed ?? Task.CompletedTask, settings.KeepAlive, settings.ReconnectDelay, time, logger);
        _main.Client.ApplicationMessageReceivedAsync += OnMessageReceivedAsync;
        if (!settings.EventsSession && settings.Mode == MqttMode.External)
        {
            // The embedded broker starts empty with FleetControl; an external one may still keep an earlier events session.
            _retiring = new IngestConnection(BuildClientOptions(settings, settings.EventsClientId, identity, security, authority),
                BuildFilters(settings.SharedSubscriptionGroup, eventsSession: true).Events, [], Task.CompletedTask, settings.KeepAlive, settings.ReconnectDelay, time, logger);
            _retiring.Client.ApplicationMessageReceivedAsync += OnMessageReceivedAsync;
        }
    }

    /// <summary>How long a retiring session must stay silent before it is deleted (what it held has arrived by then).</summary>
    internal static readonly TimeSpan RetireQuiet = TimeSpan.FromSeconds(2);

    /// <summary>True while every connection of the ingest is up.</summary>
    internal bool IsConnected => NotConnected is null;

    /// <summary>The client id of a connection that is down (the main one first), or null when every one is up.</summary>
    internal string? NotConnected =>
        !_main.Client.IsConnected ? _main.ClientId : _events is { Client.IsConnected: false } ? _events.ClientId : null;

    /// <summary>Completes when an earlier configuration's events session is retired (true) or could not be (false); false at once when there is none to retire.</summary>
    internal Task<bool> Retired => _retiring?.Retired ?? Task.FromResult(false);

    /// <summary>Completes when every connection has its first subscription in place (tests and the start-up summary wait on it).</summary>
    internal Task Subscribed => _events is null ? _main.Subscribed : Task.WhenAll(_main.Subscribed, _events.Subscribed);

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
        if (!_main.Client.IsConnected)
        {
            return "FleetControl is not connected to the broker";
        }

        try
        {
            var subscribe = await _main.Client.SubscribeAsync(new MqttClientSubscribeOptionsBuilder()
                .WithTopicFilter(f => f.WithTopic(responseTopic).WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)).Build(), cancellationToken).ConfigureAwait(false);
            if (subscribe.Items.FirstOrDefault() is { ResultCode: > MqttClientSubscribeResultCode.GrantedQoS2 } refused)
            {
                return $"the broker refused the subscription to {responseTopic}: {refused.ResultCode}";
            }

            var result = await _main.Client.PublishAsync(new MqttApplicationMessageBuilder().WithTopic(topic).WithPayload(payload)
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
        if (!_main.Client.IsConnected)
        {
            return false;
        }

        var message = new MqttApplicationMessageBuilder()
            .WithTopic(Topics.Acks(deviceId))
            .WithPayload(ack.ToByteArray())
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .Build();
        var result = await _main.Client.PublishAsync(message, cancellationToken).ConfigureAwait(false);
        return result.IsSuccess;
    }

    public async Task<bool> PublishCommandAsync(Command command, CancellationToken cancellationToken)
    {
        if (!_main.Client.IsConnected)
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
            var result = await _main.Client.PublishAsync(message, cancellationToken).ConfigureAwait(false);
            return result.IsSuccess;
        }
        catch (Exception ex) when (ex is MQTTnet.Exceptions.MqttCommunicationException or InvalidOperationException)
        {
            return false; // disconnected meanwhile: re-sent when the device (or FleetControl) reconnects
        }
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) => Task.WhenAll(
        _main.RunAsync(stoppingToken),
        _events?.RunAsync(stoppingToken) ?? Task.CompletedTask,
        _retiring?.RetireAsync(_main.Subscribed, RetireQuiet, stoppingToken) ?? Task.CompletedTask);

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        // Releases a receive handler waiting for room in a full queue; its message stays unacknowledged.
        await _stopping.CancelAsync().ConfigureAwait(false);
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
        await _main.DisconnectQuietlyAsync(cancellationToken).ConfigureAwait(false);
        if (_events is not null)
        {
            await _events.DisconnectQuietlyAsync(cancellationToken).ConfigureAwait(false);
        }

        if (_retiring is not null)
        {
            await _retiring.DisconnectQuietlyAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public override void Dispose()
    {
        _main.Dispose();
        _events?.Dispose();
        _retiring?.Dispose();
        _stopping.Dispose();
        base.Dispose();
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
            _stats.OnRejectedPayload();
            Log.PayloadRejected(_logger, topic, "topic_outside_contract");
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
            _stats.OnRejectedPayload();
            Log.PayloadRejected(_logger, topic, "not_an_envelope_batch: " + ex.Message);
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
                _stats.OnRejectedEnvelope();
                Log.EnvelopeRejected(_logger, envelope.MessageId, topic, reason);
            }
        }

        if (valid.Count == 0)
        {
            return;
        }

        if (_clocks is not null && valid.Where(v => v.CapturedAt is not null).MaxBy(v => v.CapturedAt) is { } newest)
        {
            _clocks.OnEnvelope(deviceId, newest.CapturedAt.ToDateTimeOffset()); // the least delayed of the batch
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
            await _queue.Writer.WriteAsync(new IngestBatch(deviceId, valid, complete, e.ClientId), _stopping.Token).ConfigureAwait(false);
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
            _stats.OnRejectedPayload();
            Log.PayloadRejected(_logger, e.ApplicationMessage.Topic, "not_a_command_result: " + ex.Message);
            return;
        }

        if (result.DeviceId != deviceId)
        {
            _stats.OnRejectedPayload();
            Log.PayloadRejected(_logger, e.ApplicationMessage.Topic, "command_result_device_mismatch");
            return;
        }

        // A lost result is recovered: the command stays Sent, is re-published when the device next comes
        // online, and the device answers a known id with its stored result.
        _commands.Result(result);
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
            _stats.OnRejectedPayload();
            Log.PayloadRejected(_logger, e.ApplicationMessage.Topic, "not_a_device_status: " + ex.Message);
            return;
        }

        if (status.Online && status.At is not null && !e.ApplicationMessage.Retain)
        {
            _clocks?.OnLiveStatus(deviceId, status.At.ToDateTimeOffset()); // a retained replay is old, not live
        }

        await _store.UpdateStatusAsync(deviceId, status, _time.GetUtcNow(), CancellationToken.None).ConfigureAwait(false);
        _stats.OnStatus();
        if (status.Online)
        {
            _commands.DeviceOnline(deviceId);
        }

        Log.StatusApplied(_logger, deviceId, status.Online);
    }

    private static MqttClientOptions BuildClientOptions(MqttOptions settings, string clientId, IngestClientIdentity identity, TransportSecurity security, CertificateAuthority authority)
    {
        var host = settings.Host;
        if (settings.Mode == MqttMode.Embedded)
        {
            var bind = IPAddress.Parse(settings.BindAddress);
            host = bind.Equals(IPAddress.Any) ? "127.0.0.1" : bind.Equals(IPAddress.IPv6Any) ? "::1" : settings.BindAddress;
        }

        var builder = new MqttClientOptionsBuilder()
            .WithTcpServer(host, settings.Port)
            .WithClientId(clientId)
            .WithProtocolVersion(MQTTnet.Formatter.MqttProtocolVersion.V500)
            .WithCleanStart(false)
            .WithSessionExpiryInterval((uint)Math.Min(uint.MaxValue, settings.SessionExpiry.TotalSeconds))
            .WithKeepAlivePeriod(TimeSpan.Zero) // MQTTnet's loop off: the keep-alive adapter keeps Mqtt:KeepAlive
            .WithTimeout(TimeSpan.FromSeconds(10));

        if (security.IsTlsEnabled)
        {
            // FleetControl's own client certificate (CN = the connection's client id, which no device can enrol as);
            // the broker must present a certificate of the same authority.
            var certificate = authority.IssueServiceClientCertificate(clientId);
            var anchor = authority.Root;
            builder.WithTlsOptions(tls => tls
                .UseTls()
                .WithSslProtocols(System.Security.Authentication.SslProtocols.Tls12 | System.Security.Authentication.SslProtocols.Tls13)
                .WithClientCertificates([certificate])
                .WithCertificateValidationHandler(e => EdgeGateway.Contracts.Security.ServerCertificateCheck.IsTrusted(e.Certificate, e.SslPolicyErrors, anchor)));
        }

        if (settings.Mode == MqttMode.Embedded)
        {
            builder.WithCredentials(IngestClientIdentity.UserName, identity.Password);
        }
        else if (!string.IsNullOrEmpty(settings.Username))
        {
            builder.WithCredentials(settings.Username, settings.Password ?? string.Empty);
        }

        return builder.Build();
    }

    /// <summary>
    /// The subscription filters of the main connection and of the events connection (none when
    /// <paramref name="eventsSession"/> is false: the main one takes them), shared (<c>$share/{group}/...</c>) when a
    /// group is configured.
    /// </summary>
    internal static (IReadOnlyList<string> Main, IReadOnlyList<string> Events) BuildFilters(string? sharedGroup, bool eventsSession)
    {
        string Share(string filter) => string.IsNullOrEmpty(sharedGroup) ? filter : $"$share/{sharedGroup}/{filter}";
        var all = Topics.IngestFilters.Append(Topics.StatusFilter).Append(Topics.CommandResultsFilter).Select(Share).ToList();
        if (!eventsSession)
        {
            return (all, []);
        }

        var events = Share(Topics.EventsFilter);
        return (all.Where(f => f != events).ToList(), [events]);
    }
}
