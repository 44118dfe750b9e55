namespace EdgeGateway.Core;

/// <summary>One stream's sequence counter; the gate serialises stamping and storing within the stream.</summary>
internal sealed class StreamSequence
{
    public SemaphoreSlim Gate { get; } = new(1, 1);

    /// <summary>The last sequence the store accepted (valid once <see cref="Loaded"/>).</summary>
    public ulong Last { get; set; }

    /// <summary>True once <see cref="Last"/> has been read from the store.</summary>
    public bool Loaded { get; set; }
}
