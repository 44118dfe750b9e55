namespace EdgeGateway.Devices.InCarVideo.Recording;

/// <summary>
/// One incident: from the first trigger until every trigger has ended and the post-event time has passed. Its
/// clips (one per camera of the vehicle group) cover <see cref="WindowStart"/> to <see cref="EndsAt"/>. Persisted
/// as JSON (written atomically on every change), so a restart continues the same incident and the same clips.
/// </summary>
internal sealed class Incident
{
    /// <summary>e.g. <c>inc-vehicle-01-20261201T100000123</c>; links the clips (and the body-worn recordings it activated).</summary>
    public string Id { get; set; } = string.Empty;

    /// <summary>The first trigger's time.</summary>
    public DateTimeOffset FirstTrigger { get; set; }

    /// <summary>First trigger minus the pre-event time.</summary>
    public DateTimeOffset WindowStart { get; set; }

    /// <summary>Last trigger end plus the post-event time; null while a trigger is still on.</summary>
    public DateTimeOffset? EndsAt { get; set; }

    /// <summary>Sources that are on now.</summary>
    public List<string> Active { get; set; } = [];

    /// <summary>Every trigger of the incident, as text (<c>source state at</c>).</summary>
    public List<string> Triggers { get; set; } = [];

    /// <summary>Whether a critical source triggered it.</summary>
    public bool Critical { get; set; }

    /// <summary>Whether recording has ended (the clips are assembled and uploaded from here on).</summary>
    public bool Closed { get; set; }

    /// <summary>One clip per camera.</summary>
    public List<IncidentClip> Clips { get; set; } = [];
}

/// <summary>One camera's clip of an incident: an evidence item.</summary>
/// <param name="Camera">The camera's name.</param>
/// <param name="EvidenceId">The evidence id (derived from the device, incident and camera, so it never changes).</param>
/// <param name="Url">The stream it was recorded from.</param>
internal sealed record IncidentClip(string Camera, string EvidenceId, string Url);
