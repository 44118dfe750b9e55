namespace EdgeGateway.Hosting.Watchdog;

/// <summary>
/// Deliberate faults for the tests that prove the watchdog restarts a wedged gateway. Read once from
/// <c>EDGEGATEWAY_FAULT</c> and honoured only when <c>DOTNET_ENVIRONMENT=Development</c>; a service that has
/// one active says so at start-up as a critical log line.
/// </summary>
internal static class FaultInjection
{
    /// <summary>The environment variable (e.g. <c>EDGEGATEWAY_FAULT=hang-drain</c>).</summary>
    public const string Variable = "EDGEGATEWAY_FAULT";

    /// <summary>The fault named in <see cref="Variable"/>, or null.</summary>
    public static string? Active { get; } =
        string.Equals(Environment.GetEnvironmentVariable("DOTNET_ENVIRONMENT"), "Development", StringComparison.Ordinal)
            && Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } fault
            ? fault
            : null;

    /// <summary>The drain loop wedges in its first send (until the service stops).</summary>
    public static bool HangDrain { get; } = Active == "hang-drain";
}
