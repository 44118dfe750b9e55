using System.Buffers.Binary;
using EdgeGateway.Outbox.Leasing;
using EdgeGateway.Outbox.Policy;
using EdgeGateway.Outbox.Storage;
using LiteDB;
using Microsoft.Extensions.Logging;

namespace EdgeGateway.Outbox.Housekeeping;

/// <summary>
/// Deletes expired messages as counted drops: those the maintenance sweep finds at the head of
/// each class and those a lease pass met on its way.
/// </summary>
/// <remarks>Not thread-safe: runs with the outbox lock held.</remarks>
internal sealed class ExpirySweeper
{
    private const int SweepLimit = 10_000;
    private const int SweepPatience = 64;

    private readonly OutboxStore _store;
    private readonly LeaseTable _leases;
    private readonly ILogger _logger;

    public ExpirySweeper(OutboxStore store, LeaseTable leases, ILogger logger)
    {
        _store = store;
        _leases = leases;
        _logger = logger;
    }

    /// <summary>
    /// Expiry is per class and counted from capture, so within a class the oldest ids expire
    /// first: walk each class from its head and stop once a run of live messages shows the rest
    /// is younger. Leased messages are left to their lease. Returns false if the delete failed.
    /// </summary>
    public bool Sweep(long nowMs)
    {
        var expired = new List<(int Class, BsonDocument Document)>();
        for (var c = 0; c < OutboxClassDefaults.All.Length; c++)
        {
            if (_store.State.Count[c] == 0)
            {
                continue;
            }

            var examined = 0;
            var alive = 0;
            foreach (var document in _store.Queue(c).Find(Query.All(Query.Ascending)))
            {
                if (++examined > SweepLimit)
                {
                    break;
                }

                if (!EnvelopePolicy.IsExpiredAt(document["x"].AsInt64, nowMs))
                {
                    if (++alive >= SweepPatience)
                    {
                        break;
                    }

                    continue;
                }

                alive = 0;
                if (!_leases.Contains(BinaryPrimitives.ReadUInt128BigEndian(document["_id"].AsBinary)))
                {
                    expired.Add((c, document));
                }
            }
        }

        return expired.Count == 0 || Delete(expired);
    }

    /// <summary>Deletes the given expired messages in one transaction, counted and logged per class; false if the write failed (state reloaded).</summary>
    public bool Delete(IReadOnlyCollection<(int Class, BsonDocument Document)> expired)
    {
        if (!_store.TryDeleteAllCounted(expired, "expired", out var perClass))
        {
            return false;
        }

        for (var c = 0; c < perClass.Length; c++)
        {
            if (perClass[c] > 0)
            {
                Log.Expired(_logger, perClass[c], OutboxClassDefaults.All[c]);
            }
        }

        return true;
    }
}
