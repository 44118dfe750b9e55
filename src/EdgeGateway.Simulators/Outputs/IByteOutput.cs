namespace EdgeGateway.Simulators.Outputs;

/// <summary>
/// A place the simulator writes its byte stream to (pseudo-terminal, TCP clients, stdout). Write never
/// blocks for long: an output that cannot keep up drops and counts instead.
/// </summary>
internal interface IByteOutput
{
    /// <summary>Short machine-readable counters, e.g. <c>pty_written=120 pty_dropped=0</c>.</summary>
    string Counters { get; }

    /// <summary>Writes (or drops and counts) one chunk.</summary>
    void Write(ReadOnlySpan<byte> bytes);
}
