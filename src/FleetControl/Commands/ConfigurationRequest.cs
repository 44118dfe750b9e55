using System.Text.Json;

namespace FleetControl.Commands;

/// <summary>PUT /api/devices/{id}/configuration and POST /api/rollouts body.</summary>
/// <param name="Configuration">A JSON object in the shape of the gateway's appsettings.json.</param>
/// <param name="Group">Rollouts: a role (<c>Vehicle</c>, <c>Dock</c>) or <c>all</c>.</param>
/// <param name="Devices">Rollouts: explicit device ids instead of a group.</param>
/// <param name="FirstStageSize">Rollouts: devices in the first stage (default 1).</param>
/// <param name="TimeToLiveSeconds">How long each apply-configuration command may wait.</param>
internal sealed record ConfigurationRequest(
    JsonElement? Configuration,
    string? Group = null,
    IReadOnlyList<string>? Devices = null,
    int? FirstStageSize = null,
    int? TimeToLiveSeconds = null);
