namespace FleetControl.Updates;

/// <summary>POST /api/updates/rollouts body.</summary>
/// <param name="Offer">The signed update offer (the JSON written by <c>FleetControl update sign</c>), as a string.</param>
/// <param name="Group">A role (<c>Vehicle</c>, <c>Dock</c>) or <c>all</c>.</param>
/// <param name="Devices">Explicit device ids instead of a group.</param>
/// <param name="Waves">Wave sizes in order: a count (<c>1</c>), a percentage (<c>10%</c>) or <c>rest</c>; default canary 1, 10%, rest.</param>
/// <param name="TimeToLiveSeconds">How long each install-update command may wait for its device.</param>
/// <param name="WaveTimeoutSeconds">How long a wave may take to commit before the rollout halts (default 3600).</param>
internal sealed record UpdateRolloutRequest(
    string? Offer,
    string? Group = null,
    IReadOnlyList<string>? Devices = null,
    IReadOnlyList<string>? Waves = null,
    int? TimeToLiveSeconds = null,
    int? WaveTimeoutSeconds = null);
