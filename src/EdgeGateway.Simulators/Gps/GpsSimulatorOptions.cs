namespace EdgeGateway.Simulators.Gps;

/// <summary>Pacing of a <see cref="GpsSimulator"/>.</summary>
internal sealed record GpsSimulatorOptions
{
    /// <summary>Units per second of wall time: fixes (route) or lines (replay).</summary>
    public double Rate { get; init; } = 1;

    /// <summary>
    /// Simulated seconds per wall second: unit n is stamped start + n × SpeedFactor / Rate, so a route's
    /// clock and car both run this much faster. (A replay ignores the stamp; the command folds its speed
    /// factor into <see cref="Rate"/>.)
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
