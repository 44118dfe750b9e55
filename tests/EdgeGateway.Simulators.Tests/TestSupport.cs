namespace EdgeGateway.Simulators.Tests;

/// <summary>Shared settings of the simulator tests.</summary>
internal static class TestSupport
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);
}
