namespace EdgeGateway.Devices.InCarVideo;

/// <summary>
/// Names of trigger sources as they appear in the <c>source</c> attribute of a trigger event. Inputs may use
/// any name; these are the ones the gateway itself produces or expects from other adapters.
/// </summary>
public static class TriggerSources
{
    /// <summary>Light bar switched on.</summary>
    public const string LightBar = "light-bar";

    /// <summary>Siren on.</summary>
    public const string Siren = "siren";

    /// <summary>A door opened (one input per door, e.g. <c>door-driver</c>, share this prefix).</summary>
    public const string Door = "door";

    /// <summary>Weapon released from the gun-lock.</summary>
    public const string GunLock = "gun-lock";

    /// <summary>Ignition on/off (not a recording trigger by itself; it bounds recording and power).</summary>
    public const string Ignition = "ignition";

    /// <summary>The officer's record button.</summary>
    public const string OfficerButton = "officer-button";

    /// <summary>Crash or harsh braking from the accelerometer.</summary>
    public const string Crash = "crash";

    /// <summary>Speed above the threshold, from the GNSS fix.</summary>
    public const string Speed = "speed";

    /// <summary>Supply voltage below the low threshold.</summary>
    public const string SupplyLow = "supply-low";

    /// <summary>ANPR hotlist hit (published by the ANPR adapter through <see cref="ITriggerPublisher"/>).</summary>
    public const string AnprHit = "anpr-hit";

    /// <summary>An operator's start-recording command from FleetControl.</summary>
    public const string Operator = "operator";

    /// <summary>Radio emergency (published by the TETRA adapter through <see cref="ITriggerPublisher"/>).</summary>
    public const string RadioEmergency = "radio-emergency";
}
