namespace EdgeGateway.Outbox.Leasing;

/// <summary>
/// Per class: the last id the ascending lease scan has passed. Everything at or below it is
/// leased, expired or gone, so the next lease starts after it instead of re-walking in-flight
/// messages. Reset whenever that stops being true (release, lease timeout, late commit, failed write).
/// </summary>
/// <remarks>Not thread-safe: used with the outbox lock held.</remarks>
internal sealed class ScanCursors
{
    private readonly byte[]?[] _cursors = new byte[]?[OutboxClassDefaults.All.Length];

    /// <summary>The cursor of one class (null: scan from the head).</summary>
    public byte[]? this[int classIndex]
    {
        get => _cursors[classIndex];
        set => _cursors[classIndex] = value;
    }

    /// <summary>A message committed at or behind the cursor must not be skipped: restart that class's scan.</summary>
    public void ResetIfPassed(int classIndex, byte[] id)
    {
        if (_cursors[classIndex] is { } cursor && id.AsSpan().SequenceCompareTo(cursor) <= 0)
        {
            _cursors[classIndex] = null;
        }
    }

    /// <summary>Restarts every class's scan from its head.</summary>
    public void Reset() => Array.Clear(_cursors);
}
