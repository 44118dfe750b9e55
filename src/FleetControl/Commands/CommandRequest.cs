namespace FleetControl.Commands;

/// <summary>POST /api/devices/{id}/commands body.</summary>
/// <param name="Type">One of <see cref="CommandKinds.Sendable"/>.</param>
/// <param name="TimeToLiveSeconds">How long the command may wait for the device (default Commands:DefaultTimeToLive).</param>
/// <param name="Payload">ping: echoed back.</param>
/// <param name="From">resend-range: start (inclusive).</param>
/// <param name="To">resend-range: end (exclusive).</param>
/// <param name="Stream">resend-range: one stream, or all when empty.</param>
/// <param name="MaxLogLines">collect-diagnostics: log lines in the bundle.</param>
/// <param name="Reason">restart-service: why (logged by the device); start-recording: why (in the clips' custody).</param>
/// <param name="Offer">install-update: the signed update offer (JSON), as <c>update sign</c> writes it.</param>
internal sealed record CommandRequest(
    string? Type,
    int? TimeToLiveSeconds = null,
    string? Payload = null,
    DateTimeOffset? From = null,
    DateTimeOffset? To = null,
    string? Stream = null,
    int? MaxLogLines = null,
    string? Reason = null,
    string? Offer = null);
