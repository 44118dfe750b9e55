using System.Buffers;

namespace EdgeGateway.Simulators.Gps;

/// <summary>
/// Where the simulator's bytes come from. One call produces one unit: a whole epoch of generated sentences
/// (route) or one replayed line.
/// </summary>
internal interface IGpsSentenceSource
{
    /// <summary>Short description for logs, e.g. <c>route:hertford</c>.</summary>
    string Description { get; }

    /// <summary>
    /// Appends the next unit to <paramref name="output"/>. <paramref name="utc"/> is the simulated clock and
    /// <paramref name="simulatedElapsed"/> the simulated time since the start. False when the source is exhausted.
    /// </summary>
    bool TryWriteNext(DateTimeOffset utc, TimeSpan simulatedElapsed, IBufferWriter<byte> output, out GpsOutputUnit unit);
}
