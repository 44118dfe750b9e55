using EdgeGateway.Simulators.LocalSystem;

namespace EdgeGateway.EndToEnd.Tests;

/// <summary>A gateway with bad configuration refuses to start, saying which setting is wrong.</summary>
public sealed class ConfigurationTests
{
    [Theory]
    [InlineData("Mqtt:Port", "abc")]
    [InlineData("Mqtt:Port", "0")]
    [InlineData("Gateway:Role", "Boat")]
    [InlineData("Gateway:DeviceId", "car/1")]
    [InlineData("Outbox:LeaseTimeout", "soon")]
    public async Task Gateway_InvalidSetting_ExitsWithConfigErrorNamingTheSetting(string key, string value)
    {
        var directory = Path.Combine(Path.GetTempPath(), "edge-config-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            var environment = new Dictionary<string, string>
            {
                ["Gateway__DeviceId"] = "car-config",
                ["Gateway__DataDirectory"] = Path.Combine(directory, "data"),
                [key.Replace(":", "__", StringComparison.Ordinal)] = value,
            };
            await using var gateway = ManagedProcess.Start("gateway", SystemUnderTest.Outputs.Gateway, [], environment, Path.Combine(directory, "gateway.log"));
            var line = await gateway.WaitForOutputAsync(
                l => l.StartsWith("EdgeGateway: invalid configuration:", StringComparison.Ordinal), TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken);

            Assert.Contains(key, line, StringComparison.Ordinal);
            await Eventually.TrueAsync(() => gateway.HasExited, TimeSpan.FromSeconds(30), "the gateway exits");
            Assert.Equal(78, gateway.ExitCode);
        }
        finally
        {
            if (Directory.Exists(directory))
            {
                Directory.Delete(directory, recursive: true);
            }
        }
    }
}
