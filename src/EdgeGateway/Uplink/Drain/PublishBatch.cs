using EdgeGateway.Contracts.V1;
using EdgeGateway.Outbox;

namespace EdgeGateway.Uplink.Drain;

/// <summary>Envelopes of one stream and class that go out in one publish (one bearer message).</summary>
internal sealed record PublishBatch(PriorityClass Priority, string Stream, IReadOnlyList<OutboxMessage> Messages)
{
    /// <summary>
    /// Groups leased messages (already in the outbox's order) into batches of one stream and class,
    /// in order of first appearance, each at most <paramref name="maxCount"/> envelopes and
    /// <paramref name="maxBytes"/> payload bytes (a single larger envelope still goes alone).
    /// </summary>
    public static List<PublishBatch> Plan(IEnumerable<OutboxMessage> messages, int maxCount, int maxBytes)
    {
        var batches = new List<PublishBatch>();
        var open = new Dictionary<(PriorityClass, string), (List<OutboxMessage> Messages, int Bytes)>();
        foreach (var message in messages)
        {
            var key = (message.Priority, message.Stream);
            var size = EnvelopeBatchPayload.SizeOf(message);
            if (open.TryGetValue(key, out var current) &&
                (current.Messages.Count >= maxCount || (current.Bytes + size > maxBytes && current.Messages.Count > 0)))
            {
                open.Remove(key);
                current = default;
            }

            if (current.Messages is null)
            {
                current = ([], 0);
                batches.Add(new PublishBatch(message.Priority, message.Stream, current.Messages));
            }

            current.Messages.Add(message);
            open[key] = (current.Messages, current.Bytes + size);
        }

        return batches;
    }
}
