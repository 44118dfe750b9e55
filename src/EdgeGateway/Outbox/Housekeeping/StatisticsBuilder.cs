using EdgeGateway.Contracts.V1;
using EdgeGateway.Core;
using EdgeGateway.Outbox.Admission;
using EdgeGateway.Outbox.Leasing;
using EdgeGateway.Outbox.Policy;
using EdgeGateway.Outbox.Storage;

namespace EdgeGateway.Outbox.Housekeeping;

/// <summary>Builds the <see cref="OutboxStatistics"/> snapshot for health: depths, oldest age, drops, files, disk.</summary>
/// <remarks>Not thread-safe: runs with the outbox lock held.</remarks>
internal sealed class StatisticsBuilder
{
    private readonly OutboxStore _store;
    private readonly LeaseTable _leases;
    private readonly DiskReserve _disk;
    private readonly EnvelopePolicy _policy;

    public StatisticsBuilder(OutboxStore store, LeaseTable leases, DiskReserve disk, EnvelopePolicy policy)
    {
        _store = store;
        _leases = leases;
        _disk = disk;
        _policy = policy;
    }

    /// <summary>A snapshot as of <paramref name="now"/>.</summary>
    public OutboxStatistics Build(DateTimeOffset now)
    {
        // Closed after a failure: depths as last known, drops counted since added to them.
        var state = _store.LastKnownState ?? _store.State;
        var classes = new List<OutboxClassStatistics>(OutboxClassDefaults.All.Length);
        for (var c = 0; c < OutboxClassDefaults.All.Length; c++)
        {
            var age = 0L;
            if (state.Count[c] > 0 && _store.Oldest(c) is { } oldest)
            {
                age = Math.Max(0, now.ToUnixTimeMilliseconds() - MonotonicMessageIdGenerator.TimestampOf(oldest["_id"].AsBinary));
            }

            classes.Add(new OutboxClassStatistics(
                OutboxClassDefaults.All[c], state.Count[c], state.Bytes[c], age, _policy.Classes[c].QuotaBytes, _leases.LeasedIn(c)));
        }

        var totals = new Dictionary<(int Class, string Reason), ulong>(state.DropTotals);
        if (!ReferenceEquals(state, _store.State))
        {
            foreach (var (key, count) in _store.State.DropTotals)
            {
                totals[key] = totals.GetValueOrDefault(key) + count;
            }
        }

        var drops = totals
            .OrderBy(d => d.Key.Class).ThenBy(d => d.Key.Reason, StringComparer.Ordinal)
            .Select(d => new OutboxDropStatistics(OutboxClassDefaults.PriorityAt(d.Key.Class), d.Key.Reason, d.Value))
            .ToList();
        var path = _store.DataFilePath;
        var log = _store.LogFilePath;
        return new OutboxStatistics(
            now,
            _disk.UrgentOnly ? DurabilityState.Degraded : _store.Durability,
            _store.QuarantinedFile,
            classes,
            drops,
            state.AcceptedTotal,
            state.AcknowledgedTotal,
            _disk.FreeBytes == long.MaxValue ? 0 : _disk.FreeBytes,
            File.Exists(path) ? new FileInfo(path).Length : 0,
            File.Exists(log) ? new FileInfo(log).Length : 0,
            _leases.Count,
            _disk.UrgentOnly,
            _store.IsOpen);
    }
}
