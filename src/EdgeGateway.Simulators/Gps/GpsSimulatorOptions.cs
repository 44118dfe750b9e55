namespace EdgeGateway.Simulators.Gps;

/// <summary>Pacing of a <see cref="GpsSimulator"/>.</summary>
internal sealed record GpsSimulatorOptions
{
    /// <summary>Units per second of wall time: fixes (route) or lines (replay).</summary>
    public double Rate { get; init; } = 1;

    /// <summary>
    /// Route: simulated seconds per wall second (fix timestamps and the car both run this much faster).
    /// Replay: multiplies <see cref="Rate"/>.
    /// </summary>
    public double SpeedFactor { get; init; } = 1;

    /// <summary>Stop after this many units; null runs until cancelled (or a non-looping replay ends).</summary>
    public long? Count { get; init; }

    /// <summary>
    /// Whether unit timestamps are aligned to the whole second before the start, as a real receiver's
    /// 1 Hz epochs are.
    /// </summary>
    public bool AlignToWholeSecond { get; init; } = true;
}
