using System.Buffers.Binary;
using EdgeGateway.Core;
using EdgeGateway.Outbox.Storage;
using Microsoft.Extensions.Logging;

namespace EdgeGateway.Outbox.Leasing;

/// <summary>
/// Deletes the messages FleetControl has stored and ends their leases, in one transaction per call.
/// An id this process did not lease (a late or duplicate ack, or one from before a restart) is
/// looked up in every class; an unknown or malformed id is ignored.
/// </summary>
/// <remarks>Not thread-safe: runs with the outbox lock held.</remarks>
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

    /// <summary>Deletes and counts the acknowledged messages; false if the write failed (state reloaded, the messages stay queued).</summary>
    public bool Acknowledge(IReadOnlyCollection<string> messageIds)
    {
        var state = _store.State;
        _store.Begin();
        try
        {
            foreach (var text in messageIds)
            {
                var id = new byte[MonotonicMessageIdGenerator.ByteLength];
                if (!MonotonicMessageIdGenerator.TryParse(text, id))
                {
                    continue;
                }

                if (_leases.TryRemove(BinaryPrimitives.ReadUInt128BigEndian(id), out var lease))
                {
                    if (_store.Queue(lease.ClassIndex).Delete(id))
                    {
                        Acknowledged(state, lease.ClassIndex, lease.Size);
                    }

                    continue;
                }

                for (var c = 0; c < OutboxClassDefaults.All.Length; c++)
                {
                    if (_store.Queue(c).FindById(id) is { } document)
                    {
                        _store.Queue(c).Delete(id);
                        Acknowledged(state, c, OutboxStore.SizeOf(document));
                        break;
                    }
                }
            }

            _store.SaveState();

            // No flush wait: an acknowledgement lost in a crash only means the message is sent
            // again, and FleetControl de-duplicates on the message id.
            _store.Commit();
            return true;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            _store.RollbackAndReload(rollback => Log.AcknowledgeFailed(_logger, rollback));
            Log.AcknowledgeFailed(_logger, ex);
            return false;
        }
    }

    private static void Acknowledged(OutboxState state, int classIndex, long size)
    {
        state.Count[classIndex]--;
        state.Bytes[classIndex] -= size;
        state.AcknowledgedTotal++;
    }
}
