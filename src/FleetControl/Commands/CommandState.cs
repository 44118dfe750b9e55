namespace FleetControl.Commands;

/// <summary>Where a command is in its life. Succeeded, Failed and Expired are final.</summary>
internal enum CommandState
{
    /// <summary>Stored; waiting for the device to be online.</summary>
    Queued,

    /// <summary>Published to the device; no answer yet (re-published each time the device comes online).</summary>
    Sent,

    /// <summary>The device received it and runs it.</summary>
    Accepted,

    /// <summary>The device completed it.</summary>
    Succeeded,

    /// <summary>The device could not complete it; the record carries the reason.</summary>
    Failed,

    /// <summary>Not delivered (or not started) before its expiry.</summary>
    Expired,
}
