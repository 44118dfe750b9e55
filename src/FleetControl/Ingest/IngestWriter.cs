using System.Threading.Channels;
using EdgeGateway.Contracts.V1;
using FleetControl.Hosting;
using FleetControl.Store;
using Google.Protobuf.WellKnownTypes;
using Microsoft.Extensions.Options;

namespace FleetControl.Ingest;

/// <summary>
/// The store writer: takes the batches waiting in the <see cref="IngestQueue"/> and commits them in two lanes,
/// each publishing a batch's DeliveryAck right after the commit that stored it and PUBACKing to the broker only
/// after that. A failed commit stops the host: nothing was acknowledged, so nothing acknowledged can be lost.
/// </summary>
/// <remarks>
/// <para>
/// <b>Urgent lane.</b> Batches of the urgent classes (Emergency and Alert, the gateway's urgent lane,
/// <c>LeaseScheduler.Urgent</c>) are stored as soon as they are read, by a loop (and thread) of their own: they
/// never wait for the backlog commit in progress to end. LiteDB makes them durable in its <see cref="UrgentJournal"/>
/// (no lock, no LiteDB commit) and folds them into the database behind the DeliveryAck, raising their alerts there
/// (<see cref="StoreBatchResult.ObserversDeferred"/>); a batch it cannot journal goes in as a small call (a large call
/// looks for a waiting small call every <see cref="LiteDbFleetStore.DefaultChunkEnvelopes"/> envelopes, ends its
/// transaction there and gives way). PostgreSQL: a concurrent transaction on its own connection. The lane hands its
/// DeliveryAcks to the MQTT client and goes on without waiting for the broker to take them.
/// </para>
/// <para>
/// <b>Backlog lane.</b> Every other batch is committed in arrival order, as many envelopes per commit as
/// <see cref="CommitSizer"/> allows (so a commit lasts about <c>FleetControl:CommitDurationTarget</c>; at most
/// <c>FleetControl:MaxEnvelopesPerCommit</c>; held at its floor for <see cref="CommitSizer.UrgentHold"/> after an
/// urgent batch, because an urgent fsync still waits for a backlog fsync already running).
/// </para>
/// <para>
/// Order: each lane commits its batches in arrival order, so per-class and per-stream order hold (a gateway's
/// batch is one class and one stream); an urgent batch may be stored before backlog that arrived earlier,
/// which is the point. Exactly-once: the store dedupes on the message id, whichever lane stores an id first.
/// The PUBACKs go to the broker in the order the PUBLISHes arrived (MQTT 5 [MQTT-4.6.0-2], see
/// <see cref="PubAckOrder"/>), so an urgent batch's PUBACK waits until the batches that arrived before it are
/// committed too; its DeliveryAck, which is what the gateway waits for, does not.
/// </para>
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
    /// <summary>Most batches read ahead of the PUBACKs (the queue's own bound), so urgent ones behind them are seen.</summary>
    private const int ReadAhead = 4096;

    private readonly CommitSizer _sizer = new(options.Value.CommitDurationTarget, options.Value.MaxEnvelopesPerCommit, time);
    private readonly IIngestObserver[] _observers = observers?.ToArray() ?? [];

    /// <summary>True for a batch whose envelopes overtake the backlog (Emergency or Alert).</summary>
    internal static bool IsUrgent(IngestBatch batch) =>
        batch.Envelopes.Count > 0 && batch.Envelopes[0].Priority is PriorityClass.Emergency or PriorityClass.Alert;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var stopLanes = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        var order = new PubAckOrder(ReadAhead);
        var urgent = Channel.CreateUnbounded<PubAckOrder.Entry>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        var backlog = Channel.CreateUnbounded<PubAckOrder.Entry>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });

        // The first part that fails stops the others; its exception stops the host.
        async Task Guard(Task part)
        {
            try
            {
                await part.ConfigureAwait(false);
            }
            catch
            {
                await stopLanes.CancelAsync().ConfigureAwait(false);
                throw;
            }
        }

        var token = stopLanes.Token;
        try
        {
            await Task.WhenAll(
                Guard(ReadAsync(order, urgent.Writer, backlog.Writer, token)),
                Guard(RunOnOwnThread("ingest urgent lane", () => RunLane(urgent.Reader, urgentLane: true, order, token))),
                Guard(RunOnOwnThread("ingest backlog lane", () => RunLane(backlog.Reader, urgentLane: false, order, token)))).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down: batches not PUBACKed are redelivered by the broker (and re-sent by the
            // devices if their DeliveryAck was lost too); the store dedupes what was committed.
        }
    }

    /// <summary>Reads the queue in arrival order and hands each batch to its lane.</summary>
    private async Task ReadAsync(PubAckOrder order, ChannelWriter<PubAckOrder.Entry> urgent, ChannelWriter<PubAckOrder.Entry> backlog, CancellationToken cancellationToken)
    {
        var reader = queue.Reader;
        try
        {
            while (await reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
            {
                while (reader.TryRead(out var batch))
                {
                    var entry = await order.AddAsync(batch, cancellationToken).ConfigureAwait(false);
                    if (IsUrgent(batch))
                    {
                        _sizer.OnUrgentArrived(); // the backlog commits after it stay short for a while (their fsync)
                        urgent.TryWrite(entry);
                    }
                    else
                    {
                        backlog.TryWrite(entry);
                    }
                }
            }
        }
        finally
        {
            urgent.TryComplete();
            backlog.TryComplete();
        }
    }

    /// <summary>
    /// Runs a lane on a thread of its own. The LiteDB store commits synchronously (inserts, commit, fsync: up to
    /// tens of ms on a busy machine) and the backlog lane also waits there while an urgent commit goes first; on
    /// thread-pool threads the two lanes would hold two workers (the pool's minimum on a 2-core device) for that
    /// long, workers the MQTT receive path that brings the urgent envelopes needs.
    /// </summary>
    private static Task RunOnOwnThread(string name, Action lane)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            try
            {
                lane();
                done.TrySetResult();
            }
            catch (OperationCanceledException ex)
            {
                done.TrySetCanceled(ex.CancellationToken);
            }
            catch (Exception ex)
            {
                done.TrySetException(ex);
            }
        })
        {
            IsBackground = true,
            Name = name,
        };
        thread.Start();
        return done.Task;
    }

    /// <summary>
    /// One lane (on its own thread, waiting synchronously): commits what is waiting in it (urgent: all of it;
    /// backlog: up to the sizer's limit, whole batches), publishes the DeliveryAcks, then the PUBACKs of the
    /// committed arrival-order prefix.
    /// </summary>
    private void RunLane(ChannelReader<PubAckOrder.Entry> reader, bool urgentLane, PubAckOrder order, CancellationToken cancellationToken)
    {
        var entries = new List<PubAckOrder.Entry>();
        var group = new List<IngestBatch>();
        var envelopes = new List<Envelope>();
        while (reader.WaitToReadAsync(cancellationToken).AsTask().GetAwaiter().GetResult())
        {
            entries.Clear();
            group.Clear();
            envelopes.Clear();
            var limit = urgentLane ? int.MaxValue : _sizer.Limit;
            while (envelopes.Count < limit && reader.TryRead(out var entry))
            {
                entries.Add(entry);
                group.Add(entry.Batch);
                envelopes.AddRange(entry.Batch.Envelopes);
            }

            CommitAndAcknowledgeAsync(group, envelopes, cancellationToken, learn: !urgentLane).GetAwaiter().GetResult();
            order.CommittedAsync(entries, PubAckAsync, cancellationToken).GetAwaiter().GetResult();
        }
    }

    /// <summary>Stores the envelopes in one transaction and publishes each batch's DeliveryAck (no PUBACK).</summary>
    /// <param name="group">The batches whose envelopes these are (each gets its DeliveryAck).</param>
    /// <param name="envelopes">Every envelope of <paramref name="group"/>.</param>
    /// <param name="cancellationToken">Stops waiting for the acks.</param>
    /// <param name="learn">True for the backlog lane: the commit's duration sizes the next backlog commit, and it waits for the broker to take the DeliveryAcks.</param>
    internal async Task CommitAndAcknowledgeAsync(List<IngestBatch> group, List<Envelope> envelopes, CancellationToken cancellationToken, bool learn = true)
    {
        StoreBatchResult result;
        var started = time.GetTimestamp();

        // Urgent lane: the Emergency/Alert alerts are made durable beside the envelopes' commit, not after it (two
        // fsyncs at once instead of one after the other). Both are done before the DeliveryAck; if the commit
        // fails the host stops, and an alert already raised is raised again, idempotently, on the redelivery.
        // Except where the store journals urgent batches (LiteDB): it raises their alerts itself once they are folded
        // into the database (and again after a crash, from the journal), so they are not on the DeliveryAck's path.
        var alerting = !learn && alerts is not null && !store.DefersUrgentObservers ? Task.Run(() => alerts.OnStored(envelopes), cancellationToken) : null;
        try
        {
            result = await store.StoreEnvelopesAsync(envelopes, time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
            if (learn)
            {
                _sizer.OnCommitted(envelopes.Count, time.GetElapsedTime(started));
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Log.CommitFailed(logger, ex);
            throw;
        }

        stats.OnCommitted(result.Stored, result.Duplicates);
        if (alerting is not null)
        {
            await alerting.ConfigureAwait(false);
        }
        else if (!result.ObserversDeferred)
        {
            alerts?.OnStored(envelopes);
        }

        foreach (var observer in _observers)
        {
            observer.OnStored(envelopes);
        }
        Log.Committed(logger, result.Stored, result.Duplicates, group.Count);

        // Handed to the MQTT client here, before this lane's PUBACKs. The backlog lane waits for the broker to take
        // them (that paces it); the urgent lane does not, so the next urgent batch never waits for an ack's round
        // trip. A DeliveryAck lost in a crash is recovered as before: the device re-sends, the store dedupes, acks.
        var storedAt = Timestamp.FromDateTimeOffset(time.GetUtcNow());
        var sends = Task.WhenAll(group.Select(batch => SendDeliveryAckAsync(batch, storedAt, cancellationToken)).ToArray());
        if (learn)
        {
            await sends.ConfigureAwait(false);
        }
        else
        {
            _ = sends.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
        }
    }

    /// <summary>PUBACKs one committed batch to the broker (<see cref="PubAckOrder"/> calls it in arrival order).</summary>
    private async Task PubAckAsync(IngestBatch batch, CancellationToken cancellationToken)
    {
        if (batch.CompleteAsync is null)
        {
            return;
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

