namespace EdgeGateway.Simulators.Dock;

/// <summary>What a simulated camera writes beside a recording, including the faults real cameras show.</summary>
internal enum SimulatedSidecar
{
    /// <summary>A complete JSON sidecar.</summary>
    Valid,

    /// <summary>No sidecar at all (a camera that lost it, or never wrote one).</summary>
    Missing,

    /// <summary>A truncated sidecar that does not parse (power lost while writing).</summary>
    Invalid,
}
