namespace EdgeGateway.Simulators.Gps;

/// <summary>Talker id of generated sentences.</summary>
internal enum NmeaTalker
{
    /// <summary>GPS only: $GP...</summary>
    GP,

    /// <summary>Multi-constellation: $GN... (GSV stays $GP: it lists GPS satellites).</summary>
    GN,
}
