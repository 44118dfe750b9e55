namespace FleetControl.Diagnostics;

/// <summary>Body of <c>POST /api/devices/{id}/diagnostics</c>.</summary>
/// <param name="MaxLogLines">Newest log lines to include (0 = the gateway's default).</param>
internal sealed record DiagnosticsRequest(int? MaxLogLines);
