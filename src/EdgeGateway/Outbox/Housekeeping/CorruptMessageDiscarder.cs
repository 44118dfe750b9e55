using EdgeGateway.Outbox.Storage;
using LiteDB;
using Microsoft.Extensions.Logging;

namespace EdgeGateway.Outbox.Housekeeping;

/// <summary>
/// Deletes messages whose payload failed its checksum (<see cref="MessageChecksum"/>) as counted
/// drops (reason <c>corrupt</c>, so they reach FleetControl in a DataLossReport) and raises an alarm
/// in the log. Such a message is never sent: its bytes are not what was accepted.
/// </summary>
/// <remarks>Not thread-safe: runs with the outbox lock held.</remarks>
internal sealed class CorruptMessageDiscarder
{
    private readonly OutboxStore _store;
    private readonly ILogger _logger;

    public CorruptMessageDiscarder(OutboxStore store, ILogger logger)
    {
        _store = store;
        _logger = logger;
    }

    /// <summary>Deletes and counts the given messages in one transaction; false if the write failed (state reloaded).</summary>
    public bool Discard(IReadOnlyCollection<(int Class, BsonDocument Document)> corrupt)
    {
        if (!_store.TryDeleteAllCounted(corrupt, MessageChecksum.CorruptReason, out var perClass))
        {
            return false;
        }

        for (var c = 0; c < perClass.Length; c++)
        {
            if (perClass[c] > 0)
            {
                Log.ChecksumFailed(_logger, perClass[c], OutboxClassDefaults.All[c]);
            }
        }

        return true;
    }
}
