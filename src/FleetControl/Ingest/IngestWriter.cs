using EdgeGateway.Contracts.V1;
using FleetControl.Hosting;
using FleetControl.Store;
using Google.Protobuf.WellKnownTypes;
using Microsoft.Extensions.Options;

namespace FleetControl.Ingest;

/// <summary>
/// The single store writer: takes every batch waiting in the <see cref="IngestQueue"/> (up to
/// <c>FleetControl:MaxEnvelopesPerCommit</c> envelopes), stores them in one transaction, and only
/// after the commit publishes each batch's DeliveryAck and PUBACKs it to the broker. A failed commit
/// stops the host: nothing was acknowledged, so nothing acknowledged can be lost.
/// </summary>
internal sealed class IngestWriter(
    IngestQueue queue,
    IFleetStore store,
    IAckPublisher acks,
    IngestStats stats,
    TimeProvider time,
    IOptions<FleetControlOptions> options,
    ILogger<IngestWriter> logger,
    Alerts.AlertIngestObserver? alerts = null) : BackgroundService
{
    private readonly int _maxEnvelopes = options.Value.MaxEnvelopesPerCommit;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var group = new List<IngestBatch>();
        var envelopes = new List<Envelope>();
        var reader = queue.Reader;
        try
        {
            while (await reader.WaitToReadAsync(stoppingToken).ConfigureAwait(false))
            {
                group.Clear();
                envelopes.Clear();
                while (envelopes.Count < _maxEnvelopes && reader.TryRead(out var batch))
                {
                    group.Add(batch);
                    envelopes.AddRange(batch.Envelopes);
                }

                await CommitAndAcknowledgeAsync(group, envelopes, stoppingToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down: batches still queued were never acknowledged; the broker and the devices re-send them.
        }
    }

    internal async Task CommitAndAcknowledgeAsync(List<IngestBatch> group, List<Envelope> envelopes, CancellationToken cancellationToken)
    {
        StoreBatchResult result;
        try
        {
            result = await store.StoreEnvelopesAsync(envelopes, time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Log.CommitFailed(logger, ex);
            throw;
        }

        stats.OnCommitted(result.Stored, result.Duplicates);
        alerts?.OnStored(envelopes);
        Log.Committed(logger, result.Stored, result.Duplicates, group.Count);

        var storedAt = Timestamp.FromDateTimeOffset(time.GetUtcNow());
        await Task.WhenAll(group.Select(batch => SendDeliveryAckAsync(batch, storedAt, cancellationToken))).ConfigureAwait(false);

        // MQTT wants PUBACKs in the order the PUBLISHes arrived.
        foreach (var batch in group)
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
