namespace FleetControl.Auth;

/// <summary>What a caller asks <see cref="AuditLog"/> to record; the log adds sequence, time and chain.</summary>
internal sealed record AuditEvent(string Actor, string Action, string Target, string Outcome, string Remote, string? Detail = null);
