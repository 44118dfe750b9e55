using System.Reflection;

namespace EdgeGateway.Health;

/// <summary>The gateway's software version as reported to FleetControl (status and health).</summary>
internal static class GatewayVersion
{
    /// <summary>The informational version of the gateway assembly (e.g. <c>0.1.0+commit</c>).</summary>
    public static string Current { get; } =
        typeof(GatewayVersion).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
        ?? typeof(GatewayVersion).Assembly.GetName().Version?.ToString()
        ?? "unknown";
}
