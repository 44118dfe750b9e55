namespace FleetControl.Auth;

/// <summary>The result of checking the audit log's hash chain.</summary>
/// <param name="Ok">True when every line parses and links to the one before.</param>
/// <param name="Entries">Lines checked.</param>
/// <param name="Problem">The first broken line and why, when not ok.</param>
internal sealed record AuditVerification(bool Ok, long Entries, string? Problem);
