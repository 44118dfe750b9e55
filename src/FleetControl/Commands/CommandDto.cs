namespace FleetControl.Commands;

/// <summary>A command as the REST API shows it.</summary>
internal sealed record CommandDto(
    string CommandId,
    string DeviceId,
    string Kind,
    string State,
    string Reason,
    DateTimeOffset CreatedAt,
    DateTimeOffset ExpiresAt,
    IReadOnlyDictionary<string, string> Details,
    IReadOnlyList<CommandTransitionDto> History)
{
    public static CommandDto From(CommandRecord r) => new(
        r.CommandId,
        r.DeviceId,
        r.Kind,
        r.State.ToString().ToLowerInvariant(),
        r.Reason,
        r.CreatedAt,
        r.ExpiresAt,
        r.Details,
        r.History.Select(h => new CommandTransitionDto(h.At, h.State.ToString().ToLowerInvariant(), h.Reason)).ToList());
}

/// <summary>One step of a command's history.</summary>
internal sealed record CommandTransitionDto(DateTimeOffset At, string State, string Reason);
