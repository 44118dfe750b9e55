using EdgeGateway.Core;
using EdgeGateway.Outbox.Leasing;
using EdgeGateway.Outbox.Policy;
using EdgeGateway.Outbox.Storage;
using LiteDB;
using Microsoft.Extensions.Logging;

namespace EdgeGateway.Outbox.Admission;

/// <summary>
/// Decides whether one envelope is stored: expired on arrival, disk reserve, class quota (Telemetry
/// thins and evicts its history first), replayed id. Accepted items are queued for insert and
/// counted in the state; refusals are counted as drops and alarmed (at most once per
/// <see cref="OutboxOptions.DataLossReportInterval"/> per class).
/// </summary>
/// <remarks>Not thread-safe: runs inside the enqueue transaction with the outbox lock held.</remarks>
internal sealed class EnqueueAdmission
{
    private readonly OutboxStore _store;
    private readonly EnvelopePolicy _policy;
    private readonly DiskReserve _disk;
    private readonly TelemetryThinning _thinning;
    private readonly ScanCursors _cursors;
    private readonly LeaseTable _leases;
    private readonly ILogger _logger;
    private readonly long _alarmIntervalMs;
    private readonly long[] _lastAlarmMs = new long[OutboxClassDefaults.All.Length];

    private readonly PayloadProtector _protector;

    public EnqueueAdmission(OutboxStore store, EnvelopePolicy policy, DiskReserve disk, TelemetryThinning thinning, LeaseTable leases, ScanCursors cursors, TimeSpan alarmInterval, ILogger logger, PayloadProtector protector)
    {
        _protector = protector;
        _store = store;
        _policy = policy;
        _disk = disk;
        _thinning = thinning;
        _leases = leases;
        _cursors = cursors;
        _alarmIntervalMs = (long)alarmInterval.TotalMilliseconds;
        _logger = logger;
    }

    /// <summary>
    /// Streams whose last sequence could not be read because the store was closed: their producer
    /// stamped a guess, and a guess at or below the stored last sequence is refused (checked only for them).
    /// </summary>
    public HashSet<string> UnsequencedStreams { get; } = new(StringComparer.Ordinal);

    /// <summary>
    /// Applies expiry, disk reserve and quota to one item and queues its document in
    /// <paramref name="inserts"/> (per class) if it passes; sets <see cref="PendingEnqueue.Result"/>.
    /// Returns true if the item will be inserted.
    /// </summary>
    public bool Decide(PendingEnqueue item, long nowMs, List<BsonDocument>[] inserts, ref int thinned, ref int evicted)
    {
        var state = _store.State;
        var c = item.ClassIndex;
        var settings = _policy.Classes[c];
        var expiresMs = item.ExpiresMs ?? _policy.ExpiresMs(c, item.CapturedMs);
        if (EnvelopePolicy.IsExpiredAt(expiresMs, nowMs))
        {
            state.RecordLoss(c, "expired", 1, item.CapturedMs, item.Stream);
            item.Result = EnqueueResult.RefusedExpired;
            return false;
        }

        if (!item.IsInternal && _disk.Refuses(c))
        {
            state.RecordLoss(c, "refused", 1, item.CapturedMs, item.Stream);
            item.Result = _disk.UrgentOnly ? EnqueueResult.RefusedDiskFull : EnqueueResult.RefusedDiskReserve;
            if (ShouldAlarm(c, nowMs))
            {
                if (_disk.UrgentOnly)
                {
                    Log.DiskFullRefused(_logger, settings.Priority, _disk.FreeBytes);
                }
                else
                {
                    Log.DiskReserveRefused(_logger, _disk.FreeBytes, _disk.ReserveBytes, settings.Priority);
                }
            }

            return false;
        }

        // Acknowledged messages still waiting for their delete no longer count against the quota.
        if (!item.IsInternal && state.Bytes[c] - _leases.AcknowledgedBytes(c) + item.Size > settings.QuotaBytes)
        {
            if (EnvelopePolicy.Thins(c))
            {
                _thinning.MakeRoom(c, item.Size, nowMs, ref thinned, ref evicted);
            }

            if (state.Bytes[c] - _leases.AcknowledgedBytes(c) + item.Size > settings.QuotaBytes)
            {
                state.RecordLoss(c, "refused", 1, item.CapturedMs, item.Stream);
                item.Result = EnqueueResult.RefusedQuota;
                if (ShouldAlarm(c, nowMs))
                {
                    Log.QuotaRefused(_logger, settings.Priority, settings.QuotaBytes, state.DropTotals.GetValueOrDefault((c, "refused")));
                }

                return false;
            }
        }

        // Ids above the high-water mark cannot be stored yet; only a replayed id needs the lookup.
        if (state.HighWaterId is { } highWater && item.Id.AsSpan().SequenceCompareTo(highWater) <= 0 && _store.Queue(c).FindById(item.Id) is not null)
        {
            item.Result = EnqueueResult.Accepted;
            return false;
        }

        // Stamped while the store was closed and the store reopened before this write: storing it
        // would repeat a sequence number the store already holds.
        if (UnsequencedStreams.Count > 0 && UnsequencedStreams.Contains(item.Stream) && item.Sequence <= state.Sequences.GetValueOrDefault(item.Stream))
        {
            state.RecordLoss(c, "refused", 1, item.CapturedMs, item.Stream);
            item.Result = EnqueueResult.RefusedStoreUnavailable;
            return false;
        }

        var document = new BsonDocument
        {
            ["_id"] = item.Id,
            ["s"] = item.Stream,
            ["c"] = item.CapturedMs,
            ["x"] = expiresMs,
        };
        _protector.Store(document, item.Id, item.Payload); // encrypted at rest unless configured off
        document[MessageChecksum.Field] = MessageChecksum.Of(document["b"].AsBinary); // over the stored bytes
        (inserts[c] ??= []).Add(document);
        state.Count[c]++;
        state.Bytes[c] += item.Size;
        state.AcceptedTotal++;
        if (item.Sequence > state.Sequences.GetValueOrDefault(item.Stream))
        {
            state.Sequences[item.Stream] = item.Sequence;
        }

        if (state.HighWaterId is null || item.Id.AsSpan().SequenceCompareTo(state.HighWaterId) > 0)
        {
            state.HighWaterId = item.Id;
        }

        // A message committed behind the lease cursor (a concurrent producer's id was issued
        // earlier but committed later) must not be skipped: restart that class's scan.
        _cursors.ResetIfPassed(c, item.Id);
        item.Result = EnqueueResult.Accepted;
        return true;
    }

    private bool ShouldAlarm(int classIndex, long nowMs)
    {
        if (nowMs - _lastAlarmMs[classIndex] < _alarmIntervalMs && _lastAlarmMs[classIndex] != 0)
        {
            return false;
        }

        _lastAlarmMs[classIndex] = nowMs;
        return true;
    }
}
