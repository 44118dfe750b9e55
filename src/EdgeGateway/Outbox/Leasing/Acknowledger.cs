using System.Buffers.Binary;
using EdgeGateway.Core;
using EdgeGateway.Outbox.Storage;
using Microsoft.Extensions.Logging;

namespace EdgeGateway.Outbox.Leasing;

/// <summary>
/// Acknowledgements in two steps. <see cref="Acknowledge"/> only marks the messages in the
/// <see cref="LeaseTable"/> (microseconds: no write), so they are never leased, thinned or swept
/// again; <see cref="DeleteAcknowledged"/> then deletes them behind, a small chunk per transaction,
/// so an urgent enqueue or lease never waits behind a large delete.
/// </summary>
/// <remarks>
/// An id this process did not lease (a late or duplicate ack, or one from before a restart) is
/// looked up in every class; an unknown or malformed id is ignored. A crash between the two steps
/// only means the message is sent again (FleetControl de-duplicates on the message id), exactly
/// as an acknowledgement commit lost in a crash did before. Not thread-safe: runs with the outbox
/// lock held.
/// </remarks>
internal sealed class Acknowledger
{
    private readonly OutboxStore _store;
    private readonly LeaseTable _leases;
    private readonly ILogger _logger;

    public Acknowledger(OutboxStore store, LeaseTable leases, ILogger logger)
    {
        _store = store;
        _leases = leases;
        _logger = logger;
    }

    /// <summary>Acknowledged messages waiting to be deleted.</summary>
    public int Pending => _leases.PendingDeleteCount;

    /// <summary>Marks the acknowledged messages for deletion; returns how many were newly marked.</summary>
    public int Acknowledge(IReadOnlyCollection<string> messageIds)
    {
        var marked = 0;
        var id = new byte[MonotonicMessageIdGenerator.ByteLength];
        foreach (var text in messageIds)
        {
            if (!MonotonicMessageIdGenerator.TryParse(text, id))
            {
                continue;
            }

            var key = BinaryPrimitives.ReadUInt128BigEndian(id);
            if (_leases.TryAcknowledge(key))
            {
                marked++;
                continue;
            }

            if (_leases.Contains(key))
            {
                continue; // already acknowledged, waiting for its delete
            }

            for (var c = 0; c < OutboxClassDefaults.All.Length; c++)
            {
                if (_store.Queue(c).FindById(id) is { } document)
                {
                    _leases.AddAcknowledged(key, c, OutboxStore.SizeOf(document));
                    marked++;
                    break;
                }
            }
        }

        return marked;
    }

    /// <summary>
    /// Deletes up to <paramref name="max"/> acknowledged messages in one transaction (in id order)
    /// and counts them; false if the write failed (state reloaded, they stay marked for a retry).
    /// <paramref name="yieldNow"/>, asked after each message, ends the transaction early (someone
    /// waits for the lock): what was deleted so far is committed, the rest stays marked.
    /// </summary>
    public bool DeleteAcknowledged(int max, Func<bool>? yieldNow = null)
    {
        var batch = _leases.PendingDeletes(max);
        if (batch.Count == 0)
        {
            return true;
        }

        var state = _store.State;
        var done = 0;
        var id = new byte[MonotonicMessageIdGenerator.ByteLength];
        try
        {
            _store.Begin();
            foreach (var (key, lease) in batch)
            {
                BinaryPrimitives.WriteUInt128BigEndian(id, key);
                if (_store.Queue(lease.ClassIndex).Delete(id))
                {
                    if (_store.HasDedupeKeys)
                    {
                        _store.DedupeKeys.Delete(id);
                    }


                    state.Count[lease.ClassIndex]--;
                    state.Bytes[lease.ClassIndex] -= lease.Size;
                    state.AcknowledgedTotal++;
                }

                done++;
                if (yieldNow is not null && done < batch.Count && yieldNow())
                {
                    break;
                }
            }

            _store.SaveState();

            // No flush wait: a delete lost in a crash only means the message is sent again.
            _store.Commit();
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            _store.RollbackAndReload(rollback => Log.AcknowledgeFailed(_logger, rollback));
            Log.AcknowledgeFailed(_logger, ex);
            return false;
        }

        _leases.CompleteDeletes(batch, done);
        return true;
    }
}
