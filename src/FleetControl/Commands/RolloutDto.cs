namespace FleetControl.Commands;

/// <summary>A rollout as the REST API shows it.</summary>
internal sealed record RolloutDto(
    string RolloutId,
    string Group,
    IReadOnlyList<string> Devices,
    int FirstStageSize,
    int Stage,
    string State,
    string Reason,
    DateTimeOffset StartedAt,
    IReadOnlyDictionary<string, string> DeviceStates,
    string Kind,
    IReadOnlyList<int> Waves,
    string Version)
{
    public static RolloutDto From(Rollout r) => new(
        r.RolloutId, r.Group, r.Devices, r.FirstStageSize, r.Stage, r.State, r.Reason, r.StartedAt,
        new Dictionary<string, string>(r.DeviceStates, StringComparer.Ordinal), r.Kind, r.Waves, r.Version);
}
