namespace FleetControl.Commands;

/// <summary>A command FleetControl holds for a device, with its full history.</summary>
internal sealed record CommandRecord
{
    public required string CommandId { get; init; }

    public required string DeviceId { get; init; }

    /// <summary>Kebab-case kind, e.g. <c>ping</c>, <c>restart-service</c>.</summary>
    public required string Kind { get; init; }

    /// <summary>The serialized <see cref="EdgeGateway.Contracts.V1.Command"/> exactly as published.</summary>
    public required byte[] Payload { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    public required DateTimeOffset ExpiresAt { get; init; }

    public CommandState State { get; init; }

    public string Reason { get; init; } = string.Empty;

    public IReadOnlyDictionary<string, string> Details { get; init; } = new Dictionary<string, string>();

    public IReadOnlyList<CommandTransition> History { get; init; } = [];

    /// <summary>True for Succeeded, Failed and Expired.</summary>
    public bool IsFinal => State is CommandState.Succeeded or CommandState.Failed or CommandState.Expired;
}
