namespace EdgeGateway.Uplink.Tetra;

/// <summary>
/// The LIP short reports the bearer sent lately (their bytes, reference included) and the message each carried.
/// FleetControl names a LIP position after its bytes, so a new message whose LIP is byte for byte one another
/// message sent (same place, speed, heading, and the 1-in-255 chance of the same reference) must not go as LIP:
/// it would be taken for the other. The last <see cref="Capacity"/> are remembered. Not thread-safe (the drain plans
/// one message at a time).
/// </summary>
internal sealed class RecentLips
{
    /// <summary>How many LIPs are remembered: as many as there are references.</summary>
    public const int Capacity = 256;

    private readonly Dictionary<string, string> _messageOf = new(StringComparer.Ordinal);
    private readonly Queue<string> _order = new();
    private readonly HashSet<string> _messages = new(StringComparer.Ordinal);

    /// <summary>Whether <paramref name="messageId"/> went as LIP lately (a re-send now is the same LIP).</summary>
    public bool Sent(string messageId) => _messages.Contains(messageId);

    /// <summary>True when <paramref name="lip"/> is new or was sent for <paramref name="messageId"/> itself (a re-send).</summary>
    public bool TryClaim(ReadOnlySpan<byte> lip, string messageId)
    {
        var key = Convert.ToHexString(lip);
        if (_messageOf.TryGetValue(key, out var owner))
        {
            return string.Equals(owner, messageId, StringComparison.Ordinal);
        }

        if (_order.Count == Capacity && _messageOf.Remove(_order.Dequeue(), out var oldest))
        {
            _messages.Remove(oldest);
        }

        _order.Enqueue(key);
        _messageOf[key] = messageId;
        _messages.Add(messageId);
        return true;
    }
}
