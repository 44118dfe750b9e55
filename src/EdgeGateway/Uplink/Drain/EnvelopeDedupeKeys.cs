using System.Collections.Concurrent;
using System.Text;
using EdgeGateway.Outbox;

namespace EdgeGateway.Uplink.Drain;

/// <summary>
/// Second deduplication keys (<c>Envelope.dedupe_key</c>) that a bearer gave outbox messages while they were on the way,
/// stamped on every later send of the message, whatever the bearer. The TETRA bearer sends a position as a LIP report,
/// which FleetControl stores under an id of its own (made from the report's bytes); should the report be lost and the
/// position go over LTE after all, it carries that id as its key, and FleetControl's store (one row per device and key)
/// keeps the fix once. Forgotten when the message is acknowledged; at most <see cref="Capacity"/> are kept (the oldest
/// go first). With a durable outbox (<see cref="IOutboxDedupeKeys"/>) each key is also stored with its message (fsynced
/// before <see cref="Set"/> returns, deleted with the acknowledged message) and read back on first use after a start,
/// so a key given before a restart is still stamped after it. Thread-safe.
/// </summary>
internal sealed class EnvelopeDedupeKeys
{
    /// <summary>Most keys remembered.</summary>
    public const int Capacity = 4096;

    // Envelope.dedupe_key: field 9, length-delimited.
    private const byte DedupeKeyTag = (9 << 3) | 2;

    private readonly ConcurrentDictionary<string, byte[]> _suffixOf = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<string> _order = new();
    private readonly IOutboxDedupeKeys? _store;
    private readonly Lock _loadGate = new();
    private volatile bool _loaded;

    /// <summary>Keys in memory only (an outbox without a file).</summary>
    public EnvelopeDedupeKeys()
        : this(null)
    {
    }

    /// <summary>Keys kept durably in <paramref name="store"/> as well (null: in memory only).</summary>
    public EnvelopeDedupeKeys(IOutboxDedupeKeys? store)
    {
        _store = store;
        _loaded = store is null;
    }

    /// <summary>Keys held.</summary>
    public int Count
    {
        get
        {
            EnsureLoaded();
            return _suffixOf.Count;
        }
    }

    /// <summary>From now on <paramref name="messageId"/> goes with <paramref name="key"/> as its dedupe key.</summary>
    public void Set(string messageId, string key)
    {
        EnsureLoaded();
        _store?.SaveDedupeKey(messageId, key); // on failure (logged) the key is still kept in memory
        Remember(messageId, key);
    }

    private void Remember(string messageId, string key)
    {
        var utf8 = Encoding.UTF8.GetBytes(key);
        var suffix = new List<byte>(utf8.Length + 6) { DedupeKeyTag };
        var length = (uint)utf8.Length;
        while (length >= 0x80)
        {
            suffix.Add((byte)(length | 0x80));
            length >>= 7;
        }

        suffix.Add((byte)length);
        suffix.AddRange(utf8);
        if (_suffixOf.TryAdd(messageId, [.. suffix]))
        {
            _order.Enqueue(messageId);
            while (_suffixOf.Count > Capacity && _order.TryDequeue(out var oldest))
            {
                _suffixOf.TryRemove(oldest, out _);
            }
        }
        else
        {
            _suffixOf[messageId] = [.. suffix];
        }
    }

    /// <summary>The messages are stored: their keys are no longer needed.</summary>
    public void Forget(IReadOnlyList<string> messageIds)
    {
        if (_suffixOf.IsEmpty)
        {
            return;
        }

        foreach (var id in messageIds)
        {
            _suffixOf.TryRemove(id, out _);
        }
    }

    /// <summary>
    /// <paramref name="messages"/> with each keyed one's envelope carrying its key (the field appended to the serialized
    /// envelope: protobuf merges it, nothing is re-serialized); the same list when none is keyed.
    /// </summary>
    public IReadOnlyList<OutboxMessage> Stamp(IReadOnlyList<OutboxMessage> messages)
    {
        EnsureLoaded();
        if (_suffixOf.IsEmpty)
        {
            return messages;
        }

        List<OutboxMessage>? stamped = null;
        for (var i = 0; i < messages.Count; i++)
        {
            var message = messages[i];
            if (_suffixOf.TryGetValue(message.MessageId, out var suffix))
            {
                stamped ??= [.. messages];
                var bytes = new byte[message.Envelope.Length + suffix.Length];
                message.Envelope.Span.CopyTo(bytes);
                suffix.CopyTo(bytes.AsSpan(message.Envelope.Length));
                stamped[i] = message with { Envelope = bytes };
            }
        }

        return stamped ?? messages;
    }

    // The keys stored before this start, read once (oldest first, so the capacity drops the oldest).
    private void EnsureLoaded()
    {
        if (_loaded)
        {
            return;
        }

        lock (_loadGate)
        {
            if (_loaded)
            {
                return;
            }

            foreach (var (messageId, key) in _store!.LoadDedupeKeys())
            {
                if (!_suffixOf.ContainsKey(messageId))
                {
                    Remember(messageId, key);
                }
            }

            _loaded = true;
        }
    }
}
