namespace EdgeGateway.Hosting;

/// <summary>Which profile this gateway runs: the same binary serves vehicles and docking stations.</summary>
public enum GatewayRole
{
    /// <summary>Patrol vehicle: GNSS, ANPR, cameras, radio modems.</summary>
    Vehicle,

    /// <summary>Body-worn-video docking station: evidence offload.</summary>
    Dock,
}
