namespace EdgeGateway.Devices.Bwv;

/// <summary>Whether a recording's JSON sidecar could be used.</summary>
internal enum SidecarStatus
{
    /// <summary>Present and parsed.</summary>
    Ok,

    /// <summary>No sidecar next to the recording.</summary>
    Missing,

    /// <summary>A sidecar exists but is unreadable or does not parse into a sidecar with a camera serial.</summary>
    Invalid,
}
