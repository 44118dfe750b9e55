namespace EdgeGateway.Devices.Anpr.Hotlists;

/// <summary>What <see cref="HotlistHolder.Apply"/> did with an update.</summary>
internal enum HotlistApplyOutcome
{
    /// <summary>The new version is saved and in use.</summary>
    Applied,

    /// <summary>The vehicle already holds this version or a newer one; nothing changed.</summary>
    AlreadyHeld,

    /// <summary>A snapshot part was kept; the version applies when the last part arrives.</summary>
    WaitingForParts,

    /// <summary>A delta from a version the vehicle does not hold: it needs a snapshot.</summary>
    Gap,
}
