namespace FleetControl.Updates;

/// <summary>POST /api/updates/rollouts/{id}/halt body (optional).</summary>
/// <param name="Reason">Why the operator halts it (kept as the rollout's reason).</param>
internal sealed record UpdateHaltRequest(string? Reason = null);
