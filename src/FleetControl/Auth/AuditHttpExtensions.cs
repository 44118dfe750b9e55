namespace FleetControl.Auth;

/// <summary>Records a request's action in the audit log with the signed-in user and the client's address.</summary>
internal static class AuditHttpExtensions
{
    public static Task<AuditEntry> RecordAsync(this AuditLog audit, HttpContext context, string action, string target, string outcome = "ok", string? detail = null) =>
        audit.AppendAsync(
            new AuditEvent(AuthPolicies.NameOf(context.User), action, target, outcome, RemoteOf(context), detail),
            context.RequestAborted);

    public static string RemoteOf(HttpContext context) => context.Connection.RemoteIpAddress?.ToString() ?? "unknown";
}
