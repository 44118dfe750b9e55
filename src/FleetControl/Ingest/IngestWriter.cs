using EdgeGateway.Contracts.V1;
using FleetControl.Hosting;
using FleetControl.Store;
using Google.Protobuf.WellKnownTypes;
using Microsoft.Extensions.Options;

namespace FleetControl.Ingest;

/// <summary>
/// The single store writer: takes the batches waiting in the <see cref="IngestQueue"/>, stores as many
/// envelopes in one transaction as <see cref="CommitSizer"/> allows (so a commit lasts about
/// <c>FleetControl:CommitDurationTarget</c>; at most <c>FleetControl:MaxEnvelopesPerCommit</c>), and only
/// after the commit publishes each batch's DeliveryAck and PUBACKs it to the broker. A failed commit stops the host:
/// nothing was acknowledged, so nothing acknowledged can be lost.
/// </summary>
/// <remarks>
/// Urgent batches (Emergency and Alert envelopes) go first: whenever any is waiting, the next commit
/// holds only urgent batches, so an Emergency waits for at most the commit in progress, never behind a
/// backlog's worth of telemetry queued before it, and the commit in progress is short. DeliveryAcks go
/// out per commit; the PUBACKs still go to the broker in the order the PUBLISHes arrived (MQTT 5
/// [MQTT-4.6.0-2]), so an urgent batch's PUBACK waits until the batches that arrived before it are
/// committed too. For a second after an urgent batch arrives, backlog commits are held at the sizer's floor
/// (<see cref="CommitSizer.UrgentHold"/>), so the next urgent batch of a burst waits for a short commit.
/// </remarks>
internal sealed class IngestWriter(
    IngestQueue queue,
    IFleetStore store,
    IAckPublisher acks,
    IngestStats stats,
    TimeProvider time,
    IOptions<FleetControlOptions> options,
    ILogger<IngestWriter> logger,
    Alerts.AlertIngestObserver? alerts = null,
    IEnumerable<IIngestObserver>? observers = null) : BackgroundService
{
    /// <summary>Most batches read ahead of the commits (the queue's own bound), so urgent ones behind them are seen.</summary>
    private const int ReadAhead = 4096;

    private readonly CommitSizer _sizer = new(options.Value.CommitDurationTarget, options.Value.MaxEnvelopesPerCommit, time);
    private readonly IIngestObserver[] _observers = observers?.ToArray() ?? [];

    /// <summary>True for a batch whose envelopes overtake the backlog (Emergency or Alert).</summary>
    internal static bool IsUrgent(IngestBatch batch) =>
        batch.Envelopes.Count > 0 && batch.Envelopes[0].Priority is PriorityClass.Emergency or PriorityClass.Alert;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Read, not yet PUBACKed, in arrival order; the flag says whether it is committed.
        var waiting = new List<(IngestBatch Batch, bool Committed)>();
        var group = new List<IngestBatch>();
        var envelopes = new List<Envelope>();
        var reader = queue.Reader;
        try
        {
            while (true)
            {
                if (!waiting.Exists(w => !w.Committed) && !await reader.WaitToReadAsync(stoppingToken).ConfigureAwait(false))
                {
                    break;
                }

                while (waiting.Count < ReadAhead && reader.TryRead(out var batch))
                {
                    waiting.Add((batch, false));
                    if (IsUrgent(batch))
                    {
                        _sizer.OnUrgentArrived(); // the backlog commits after it stay short for a while
                    }
                }

                var urgentOnly = waiting.Exists(w => !w.Committed && IsUrgent(w.Batch));
                group.Clear();
                envelopes.Clear();
                var limit = _sizer.Limit;
                for (var i = 0; i < waiting.Count && envelopes.Count < limit; i++)
                {
                    if (!waiting[i].Committed && (!urgentOnly || IsUrgent(waiting[i].Batch)))
                    {
                        group.Add(waiting[i].Batch);
                        envelopes.AddRange(waiting[i].Batch.Envelopes);
                        waiting[i] = (waiting[i].Batch, true);
                    }
                }

                await CommitAndAcknowledgeAsync(group, envelopes, stoppingToken).ConfigureAwait(false);
                var done = 0;
                while (done < waiting.Count && waiting[done].Committed)
                {
                    done++;
                }

                await PubAckAsync(waiting.Take(done).Select(w => w.Batch), stoppingToken).ConfigureAwait(false);
                waiting.RemoveRange(0, done);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down: batches not PUBACKed are redelivered by the broker (and re-sent by the
            // devices if their DeliveryAck was lost too); the store dedupes what was committed.
        }
    }

    /// <summary>Stores the envelopes in one transaction and publishes each batch's DeliveryAck (no PUBACK).</summary>
    internal async Task CommitAndAcknowledgeAsync(List<IngestBatch> group, List<Envelope> envelopes, CancellationToken cancellationToken)
    {
        StoreBatchResult result;
        var started = time.GetTimestamp();
        try
        {
            result = await store.StoreEnvelopesAsync(envelopes, time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
            _sizer.OnCommitted(envelopes.Count, time.GetElapsedTime(started));
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Log.CommitFailed(logger, ex);
            throw;
        }

        stats.OnCommitted(result.Stored, result.Duplicates);
        alerts?.OnStored(envelopes);
        foreach (var observer in _observers)
        {
            observer.OnStored(envelopes);
        }
        Log.Committed(logger, result.Stored, result.Duplicates, group.Count);

        var storedAt = Timestamp.FromDateTimeOffset(time.GetUtcNow());
        await Task.WhenAll(group.Select(batch => SendDeliveryAckAsync(batch, storedAt, cancellationToken))).ConfigureAwait(false);
    }

    /// <summary>PUBACKs committed batches to the broker, in the order given (their arrival order).</summary>
    private async Task PubAckAsync(IEnumerable<IngestBatch> committed, CancellationToken cancellationToken)
    {
        foreach (var batch in committed)
        {
            if (batch.CompleteAsync is null)
            {
                continue;
            }

            try
            {
                await batch.CompleteAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                Log.PubAckFailed(logger, ex);
            }
        }
    }

    private async Task SendDeliveryAckAsync(IngestBatch batch, Timestamp storedAt, CancellationToken cancellationToken)
    {
        if (batch.Envelopes.Count == 0)
        {
            return;
        }

        var ack = new DeliveryAck { StoredAt = storedAt };
        foreach (var envelope in batch.Envelopes)
        {
            ack.MessageIds.Add(envelope.MessageId);
        }

        Exception? failure = null;
        var published = false;
        try
        {
            published = await acks.PublishAckAsync(batch.DeviceId, ack, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            failure = ex;
        }

        if (published)
        {
            stats.OnAckSent();
        }
        else
        {
            stats.OnAckFailed();
            Log.AckFailed(logger, failure, batch.DeviceId, ack.MessageIds.Count);
        }
    }
}

