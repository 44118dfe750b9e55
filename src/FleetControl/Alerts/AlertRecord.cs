namespace FleetControl.Alerts;

/// <summary>
/// One alert. Condition alerts (offline, backlog age, durability, dock failures) have the id
/// <c>{rule}:{device}</c> and resolve when the condition clears; message alerts (emergency, alert-class,
/// data loss) have the id <c>{rule}:{messageId}</c>, so a redelivered message raises nothing new.
/// </summary>
internal sealed record AlertRecord
{
    public required string AlertId { get; init; }

    public required string Rule { get; init; }

    public required string DeviceId { get; init; }

    /// <summary>critical, major, minor.</summary>
    public required string Severity { get; init; }

    public required string Message { get; init; }

    public required DateTimeOffset RaisedAt { get; init; }

    /// <summary>active or resolved.</summary>
    public string State { get; init; } = "active";

    public string? AcknowledgedBy { get; init; }

    public DateTimeOffset? AcknowledgedAt { get; init; }

    public IReadOnlyList<AlertTransition> History { get; init; } = [];
}

/// <summary>One step of an alert's history (raised, acknowledged, resolved, raised again).</summary>
internal sealed record AlertTransition(DateTimeOffset At, string What, string Detail);
