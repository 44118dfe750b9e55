using EdgeGateway.Contracts.Tetra;
using EdgeGateway.Contracts.V1;
using EdgeGateway.Devices.Tetra;
using EdgeGateway.Outbox;
using EdgeGateway.Uplink.Drain;
using Google.Protobuf;
using Microsoft.Extensions.Logging;

namespace EdgeGateway.Uplink.Tetra;

/// <summary>
/// The drain's fallback bearer over the TETRA terminal (SDS type 4 to FleetControl's TETRA gateway at
/// <c>Tetra:DispatcherIssi</c>). Each message goes as one SDS, asking for a report:
/// <list type="bullet">
/// <item>a Telemetry position as a LIP short location report (84 bits), at most one per
/// <see cref="TetraUplinkSettings.LipInterval"/>; the others are declined and wait for LTE;</item>
/// <item>anything else as an envelope SDS (PID 0xC8, message id kept), or when it does not fit one SDS in its compact
/// form over up to <see cref="SdsCompactEnvelope.MaxSegments"/> SDS; one too large even for that is declined.</item>
/// </list>
/// A LIP carries a reference derived from its message id (<see cref="LipReferenceOf"/>), so a re-sent one is
/// byte-identical and FleetControl (which names LIP positions after their bytes) stores it once.
/// FleetControl's report "consumed" (sent only after its store committed) acknowledges the outbox copy
/// through <see cref="DrainLoop.Acknowledge"/>, exactly like a DeliveryAck over MQTT; a failed send or a
/// missing report leaves the message in the window, and the drain re-sends it after its ack timeout.
/// </summary>
internal sealed class TetraBearer : IUplinkBearer
{
    /// <summary>SDS-TL delivery status "consumed by destination": FleetControl's word that it stored the message.</summary>
    public const byte ConsumedStatus = 0x02;

    private readonly ITetraSds _sds;
    private readonly DrainLoop _drain;
    private readonly TetraUplinkSettings _settings;
    private readonly TetraUplinkCounters _counters;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly CancellationToken _stopping;
    private readonly SemaphoreSlim _slots;
    private readonly Lock _gate = new();
    private readonly HashSet<Task> _inFlight = [];
    private readonly RecentLips _recentLips = new();
    private long _lastLipAt = long.MinValue;

    /// <param name="sds">The terminal.</param>
    /// <param name="drain">Where acknowledgements and declines go.</param>
    /// <param name="settings">Dispatcher, LIP interval, pending limit.</param>
    /// <param name="counters">What went and what was declined.</param>
    /// <param name="time">Clock of the LIP interval.</param>
    /// <param name="logger">Where sends are logged.</param>
    /// <param name="stopping">Cancelled when the service stops (outstanding reports are abandoned).</param>
    public TetraBearer(ITetraSds sds, DrainLoop drain, TetraUplinkSettings settings, TetraUplinkCounters counters, TimeProvider time, ILogger logger, CancellationToken stopping)
    {
        _sds = sds;
        _drain = drain;
        _settings = settings;
        _counters = counters;
        _time = time;
        _logger = logger;
        _stopping = stopping;
        _slots = new SemaphoreSlim(settings.MaxPending);
    }

    /// <inheritdoc />
    public async ValueTask SendAsync(PublishBatch batch, CancellationToken cancellationToken)
    {
        foreach (var message in batch.Messages)
        {
            var sds = Plan(message);
            if (sds is null)
            {
                _counters.Declined();
                _drain.Decline([message.MessageId]);
                continue;
            }

            await _slots.WaitAsync(cancellationToken).ConfigureAwait(false);
            Track(SendOneAsync(message, sds.Value.Pid, sds.Value.Payloads));
        }
    }

    /// <inheritdoc />
    public void AcksOverdue(string reason) => Log.ReportsOverdue(_logger, reason);

    /// <inheritdoc />
    public Task SettleAsync(CancellationToken cancellationToken)
    {
        Task[] pending;
        lock (_gate)
        {
            pending = [.. _inFlight];
        }

        return Task.WhenAll(pending).WaitAsync(cancellationToken);
    }

    /// <summary>What SDS carry <paramref name="message"/> (in order), or null to decline it (it waits for LTE).</summary>
    internal (byte Pid, IReadOnlyList<byte[]> Payloads)? Plan(OutboxMessage message)
    {
        Envelope envelope;
        try
        {
            envelope = Envelope.Parser.ParseFrom(message.Envelope.Span);
        }
        catch (InvalidProtocolBufferException)
        {
            return null;
        }

        if (envelope.BodyCase == Envelope.BodyOneofCase.Position && message.Priority == PriorityClass.Telemetry)
        {
            var now = _time.GetTimestamp();
            // A re-send of a LIP already on the air is never thinned: declined, it would go over LTE under its own id
            // beside the LIP FleetControl may already have stored.
            if (_lastLipAt != long.MinValue && _time.GetElapsedTime(_lastLipAt, now) < _settings.LipInterval && !_recentLips.Sent(message.MessageId))
            {
                return null; // thinned to the LIP rate: the full fix goes over LTE later
            }

            var position = envelope.Position;
            var report = LipCodec.FromPosition(
                position.Latitude,
                position.Longitude,
                position.HasSpeedMps ? position.SpeedMps : null,
                position.HasTrackDeg ? position.TrackDeg : null,
                position.HasHdop && position.Hdop > 5 ? 2 : 1);
            var lip = LipCodec.Encode(report);
            LipCodec.TrySetUserData(lip, LipReferenceOf(message.MessageId));
            if (!_recentLips.TryClaim(lip, message.MessageId))
            {
                return null; // byte for byte a LIP another message sent: FleetControl would take it for that one
            }

            _lastLipAt = now;
            // FleetControl stores this LIP under an id made from its bytes; should the position also go over LTE (the
            // report lost, LTE back before the re-send), it carries that id as its dedupe key and is stored once.
            _drain.DedupeKeys.Set(message.MessageId, LipCodec.MessageIdOf(envelope.DeviceId, lip));
            return (LipCodec.ProtocolId, [lip[1..]]);
        }

        return SdsCompactEnvelope.TryEncodeForSds(envelope) is { } userData ? (SdsEnvelope.Pid, userData) : null;
    }

    /// <summary>
    /// The LIP's 8-bit reference (its user-defined additional data), derived from the message id: the same on every
    /// re-send of one outbox message, even after a restart, so FleetControl, which names a LIP position after its
    /// bytes, stores a re-sent one once however late it comes. 1-255 (0 is never a reference).
    /// </summary>
    internal static byte LipReferenceOf(string messageId) => (byte)(1 + (SdsCompactEnvelope.Fnv1a(messageId) % 255));

    private async Task SendOneAsync(OutboxMessage message, byte pid, IReadOnlyList<byte[]> payloads)
    {
        try
        {
            var urgent = message.Priority == PriorityClass.Emergency;
            var result = pid == SdsEnvelope.Pid
                ? await EnvelopeSds.SendAsync(_sds, _settings.DispatcherIssi, payloads, urgent, _stopping).ConfigureAwait(false)
                : await _sds.SendAsync(_settings.DispatcherIssi, pid, payloads[0], requestReport: true, urgent, _stopping).ConfigureAwait(false);
            if (result.Outcome == SdsSendOutcome.Delivered && result.DeliveryStatus == ConsumedStatus)
            {
                _counters.Stored(pid == LipCodec.ProtocolId);
                Log.Stored(_logger, message.MessageId, message.Priority, pid == LipCodec.ProtocolId ? "LIP" : "envelope");
                _drain.Acknowledge([message.MessageId]);
            }
            else if (result.Outcome == SdsSendOutcome.TooLarge)
            {
                _counters.Declined();
                _drain.Decline([message.MessageId]);
            }
            else
            {
                // Stays in the window: re-sent after the ack timeout, over TETRA or over LTE if it is back.
                _counters.NotStored();
                Log.NotStored(_logger, message.MessageId, result.Outcome, result.Detail);
            }
        }
        catch (OperationCanceledException)
        {
            // Stopping: the message stays in the outbox.
        }
        finally
        {
            _slots.Release();
        }
    }

    private void Track(Task task)
    {
        lock (_gate)
        {
            _inFlight.Add(task);
        }

        task.ContinueWith(
            static (done, state) =>
            {
                var self = (TetraBearer)state!;
                lock (self._gate)
                {
                    self._inFlight.Remove(done);
                }
            },
            this,
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
    }
}
