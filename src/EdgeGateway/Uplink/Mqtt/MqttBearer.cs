using EdgeGateway.Contracts;
using EdgeGateway.Outbox;
using EdgeGateway.Uplink.Drain;
using Microsoft.Extensions.Logging;
using MQTTnet;
using MQTTnet.Protocol;

namespace EdgeGateway.Uplink.Mqtt;

/// <summary>
/// The drain's bearer over one MQTT connection: each batch is one QoS 1 <c>EnvelopeBatch</c> publish
/// on <see cref="Topics.ForEnvelope"/>, with MQTT 5 message expiry. At most <c>receiveMaximum</c>
/// publishes await their PUBACK at once; <see cref="SendAsync"/> waits for a slot, not for the PUBACK.
/// Backlog publishes hold at most <see cref="MaxPendingPublishes"/> - 1 slots; the rest, one to
/// 1 + <see cref="ExtraUrgentPublishes"/> as the broker's receive maximum allows, are reserved for urgent batches
/// (Emergency, Alert), so an urgent publish does not queue behind a full pipeline of telemetry, nor behind the
/// previous urgent publish whose PUBACK is still coming (the broker sends it only once it has taken the backlog
/// publishes ahead of it: measured up to ~100 ms on a loaded 2-core box, with an Emergency every 50 ms).
/// </summary>
internal sealed class MqttBearer : IUplinkBearer
{
    /// <summary>Most QoS 1 publishes awaiting PUBACK at once (further bounded by the broker's receive maximum).</summary>
    public const int MaxPendingPublishes = 32;

    /// <summary>Urgent publishes allowed beyond <see cref="MaxPendingPublishes"/> when the broker's receive maximum allows them.</summary>
    public const int ExtraUrgentPublishes = 3;

    private readonly IMqttClient _client;
    private readonly string _deviceId;
    private readonly LinkStateMachine _link;
    private readonly UplinkCounters _counters;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _slots;
    private readonly SemaphoreSlim? _backlogSlots;
    private readonly CancellationToken _linkToken;

    /// <param name="client">The connected client.</param>
    /// <param name="deviceId">This gateway's id (topic prefix).</param>
    /// <param name="receiveMaximum">The broker's Receive Maximum from CONNACK, if it sent one.</param>
    /// <param name="link">Link state: publish failures and overdue acks degrade it.</param>
    /// <param name="counters">Published messages and batches, publish failures.</param>
    /// <param name="time">Clock for message expiry.</param>
    /// <param name="logger">Where publish failures are logged.</param>
    /// <param name="linkToken">Cancelled when this connection ends.</param>
    public MqttBearer(
        IMqttClient client,
        string deviceId,
        ushort? receiveMaximum,
        LinkStateMachine link,
        UplinkCounters counters,
        TimeProvider time,
        ILogger logger,
        CancellationToken linkToken)
    {
        _client = client;
        _deviceId = deviceId;
        _link = link;
        _counters = counters;
        _time = time;
        _logger = logger;
        _linkToken = linkToken;
        // No Receive Maximum in CONNACK means 65,535 (MQTT 5, 3.2.2.3.3). Backlog: at most MaxPendingPublishes - 1, as
        // before; urgent: the remainder, at least one slot and up to 1 + ExtraUrgentPublishes.
        var slots = Math.Clamp((int)(receiveMaximum ?? ushort.MaxValue), 1, MaxPendingPublishes + ExtraUrgentPublishes);
        var backlogSlots = Math.Min(slots - 1, MaxPendingPublishes - 1);
        _slots = new SemaphoreSlim(slots);
        _backlogSlots = backlogSlots > 0 ? new SemaphoreSlim(backlogSlots) : null;
    }

    /// <summary>Publish slots free now for an urgent batch (all of them) and for a backlog batch (all but the reserved ones).</summary>
    internal (int Urgent, int Backlog) FreeSlots => (_slots.CurrentCount, Math.Min(_slots.CurrentCount, _backlogSlots?.CurrentCount ?? _slots.CurrentCount));

    /// <inheritdoc />
    public async ValueTask SendAsync(PublishBatch batch, CancellationToken cancellationToken)
    {
        var backlog = DrainScheduler.IsUrgent(batch.Priority) ? null : _backlogSlots;
        if (backlog is not null)
        {
            await backlog.WaitAsync(cancellationToken).ConfigureAwait(false);
        }

        try
        {
            await _slots.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            backlog?.Release();
            throw;
        }

        var topic = Topics.ForEnvelope(_deviceId, batch.Priority, batch.Stream);
        var builder = new MqttApplicationMessageBuilder()
            .WithTopic(topic)
            .WithPayload(EnvelopeBatchPayload.Build(batch.Messages))
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce);
        if (ExpiryIntervalSeconds(batch.Messages, _time.GetUtcNow()) is { } expiry)
        {
            builder = builder.WithMessageExpiryInterval(expiry);
        }

        _counters.Published(batch.Messages.Count);
        _ = ObservePublishAsync(_client.PublishAsync(builder.Build(), _linkToken), batch.Messages.Count, topic, backlog);
    }

    /// <inheritdoc />
    public void AcksOverdue(string reason) => _link.Fire(LinkTrigger.AcksOverdue, reason);

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

    private async Task ObservePublishAsync(Task<MqttClientPublishResult> publish, int count, string topic, SemaphoreSlim? backlog)
    {
        try
        {
            var result = await publish.ConfigureAwait(false);
            if (result.ReasonCode is not (MqttClientPublishReasonCode.Success or MqttClientPublishReasonCode.NoMatchingSubscribers))
            {
                PublishFailed(count, topic, $"{result.ReasonCode} {result.ReasonString}");
            }
        }
        catch (Exception exception) when (!_linkToken.IsCancellationRequested && _client.IsConnected)
        {
            PublishFailed(count, topic, exception.Message);
        }
        catch (Exception)
        {
            // The link is gone: the drain returns these leases to the outbox.
        }
        finally
        {
            _slots.Release();
            backlog?.Release();
        }
    }

    private void PublishFailed(int count, string topic, string error)
    {
        // The messages stay in the window: with no ack they time out and are re-sent.
        _counters.PublishFailed();
        Log.PublishFailed(_logger, count, topic, error);
        _link.Fire(LinkTrigger.PublishFailed, error);
    }
}
