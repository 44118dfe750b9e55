namespace EdgeGateway.Devices.InCarVideo;

/// <summary>What a trigger signal says about its source.</summary>
public enum TriggerState
{
    /// <summary>The source became active (light bar on, door open, speed above threshold).</summary>
    On,

    /// <summary>The source is no longer active; recording runs on for the post-event time.</summary>
    Off,

    /// <summary>A one-off event (crash, button press, ANPR hit) with no end of its own.</summary>
    Pulse,
}
