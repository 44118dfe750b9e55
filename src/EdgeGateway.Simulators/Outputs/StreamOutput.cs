namespace EdgeGateway.Simulators.Outputs;

/// <summary>Writes the stream to a <see cref="Stream"/> (stdout for a quick look), flushing each chunk.</summary>
internal sealed class StreamOutput(Stream stream, string name) : IByteOutput
{
    private long _written;

    /// <inheritdoc />
    public string Counters => $"{name}_written={Interlocked.Read(ref _written)}";

    /// <inheritdoc />
    public void Write(ReadOnlySpan<byte> bytes)
    {
        stream.Write(bytes);
        stream.Flush();
        Interlocked.Add(ref _written, bytes.Length);
    }
}
