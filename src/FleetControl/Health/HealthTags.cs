namespace FleetControl.Health;

/// <summary>Tags that sort the health checks into liveness and readiness.</summary>
internal static class HealthTags
{
    /// <summary>Checks that decide readiness (<c>/readyz</c>, gRPC health): store, broker, vault.</summary>
    public const string Ready = "ready";
}
