namespace EdgeGateway.Simulators.Gps;

/// <summary>A periodic loss of fix: in every <paramref name="Every"/> of simulated time, the last <paramref name="For"/> has no fix.</summary>
/// <param name="Every">Length of one cycle.</param>
/// <param name="For">Part of each cycle without a fix; less than <paramref name="Every"/>.</param>
internal sealed record GpsOutage(TimeSpan Every, TimeSpan For)
{
    /// <summary>Whether the receiver has no fix at <paramref name="simulatedElapsed"/> since the start.</summary>
    public bool IsWithout(TimeSpan simulatedElapsed) =>
        Every > TimeSpan.Zero && simulatedElapsed.Ticks % Every.Ticks >= (Every - For).Ticks;
}
