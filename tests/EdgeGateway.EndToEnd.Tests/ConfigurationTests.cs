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
        using var directory = new TempDirectory();
        var environment = new Dictionary<string, string>
        {
            ["Gateway__DeviceId"] = "car-config",
            ["Gateway__DataDirectory"] = directory.Sub("data"),
            ["Security__DevelopmentPlaintext"] = "true", // the named override, so the setting under test is the one refused
            [key.Replace(":", "__", StringComparison.Ordinal)] = value,
        };

        await AssertRefusedAsync(SystemUnderTest.Outputs.Gateway, "EdgeGateway", environment, directory, key);
    }

    [Fact]
    public async Task Gateway_TlsWithoutCaCertificate_ExitsWithConfigErrorNamingTheSetting()
    {
        using var directory = new TempDirectory();
        var environment = new Dictionary<string, string>
        {
            ["Gateway__DeviceId"] = "car-config",
            ["Gateway__DataDirectory"] = directory.Sub("data"),
        };

        await AssertRefusedAsync(SystemUnderTest.Outputs.Gateway, "EdgeGateway", environment, directory, "Security:CaCertificateFile is required");
    }

    [Theory]
    [InlineData("Vehicle")]
    [InlineData("Dock")]
    public async Task Gateway_NoDeviceId_ExitsWithConfigErrorNamingTheSetting(string role)
    {
        using var directory = new TempDirectory();
        var environment = new Dictionary<string, string>
        {
            ["Gateway__Role"] = role,
            ["Gateway__DataDirectory"] = directory.Sub("data"),
        };

        await AssertRefusedAsync(SystemUnderTest.Outputs.Gateway, "EdgeGateway", environment, directory, "Gateway:DeviceId is required");
    }

    [Fact]
    public async Task Gateway_SiteConfigurationFolder_RoleAndRoleProfileLoadedFromIt()
    {
        // The site folder chooses the role, and its role profile (read only because the role is Dock) sets a bad port.
        using var directory = new TempDirectory();
        var site = directory.Sub("etc-edgegateway");
        await File.WriteAllTextAsync(Path.Combine(site, "appsettings.json"), """{ "Gateway": { "Role": "Dock", "DeviceId": "dock-site" } }""", TestContext.Current.CancellationToken);
        await File.WriteAllTextAsync(Path.Combine(site, "appsettings.dock.json"), """{ "Mqtt": { "Port": 0 } }""", TestContext.Current.CancellationToken);
        var environment = new Dictionary<string, string>
        {
            ["EDGEGATEWAY_CONFIG_DIR"] = site,
            ["Gateway__DataDirectory"] = directory.Sub("data"),
            ["Security__DevelopmentPlaintext"] = "true", // the named override, so the port is the setting refused
        };

        await AssertRefusedAsync(SystemUnderTest.Outputs.Gateway, "EdgeGateway", environment, directory, "Mqtt:Port");
    }

    [Fact]
    public async Task FleetControl_SiteConfigurationFolder_Loaded()
    {
        using var directory = new TempDirectory();
        var site = directory.Sub("etc-fleetcontrol");
        await File.WriteAllTextAsync(Path.Combine(site, "appsettings.json"), """{ "FleetControl": { "BindAddress": "not-an-address" } }""", TestContext.Current.CancellationToken);
        var environment = new Dictionary<string, string>
        {
            ["FLEETCONTROL_CONFIG_DIR"] = site,
            ["FleetControl__DataDirectory"] = directory.Sub("data"),
        };

        await AssertRefusedAsync(SystemUnderTest.Outputs.FleetControl, "FleetControl", environment, directory, "FleetControl:BindAddress 'not-an-address'");
    }

    [Fact]
    public async Task Gateway_MetricsPortInUse_ExitsWithConfigErrorNamingThePortAndTheSetting()
    {
        using var directory = new TempDirectory();
        using var holder = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        holder.Start();
        var port = ((System.Net.IPEndPoint)holder.LocalEndpoint).Port;
        var environment = new Dictionary<string, string>
        {
            ["Gateway__DeviceId"] = "car-metrics-port",
            ["Gateway__DataDirectory"] = directory.Sub("data"),
            ["Security__DevelopmentPlaintext"] = "true", // the named override, so the port is the setting refused
            ["Metrics__Enabled"] = "true",
            ["Metrics__Port"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };

        await AssertRefusedAsync(SystemUnderTest.Outputs.Gateway, "EdgeGateway", environment, directory,
            $"port {port} on 127.0.0.1 (the Prometheus metrics endpoint) is already in use by another program: set Metrics:Port to a free port");
        Assert.DoesNotContain("Hosting failed to start", await File.ReadAllTextAsync(Path.Combine(directory.Path, "process.log"), TestContext.Current.CancellationToken), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Gateway_SecondGatewayOnSameDataDirectory_RefusedWithExit75()
    {
        using var directory = new TempDirectory();
        var environment = new Dictionary<string, string>
        {
            ["Gateway__DeviceId"] = "car-lock",
            ["Gateway__DataDirectory"] = directory.Sub("data"),
            ["Security__DevelopmentPlaintext"] = "true", // the named override: this test is about the data-directory lock
            ["Mqtt__Port"] = FreePort.Next().ToString(System.Globalization.CultureInfo.InvariantCulture), // no broker: the first keeps retrying
        };
        await using var first = ManagedProcess.Start("gateway 1", SystemUnderTest.Outputs.Gateway, [], environment, Path.Combine(directory.Path, "first.log"));
        await Eventually.TrueAsync(() => File.Exists(Path.Combine(directory.Path, "data", "health.json")), TimeSpan.FromSeconds(60), "the first gateway is up");

        await using var second = ManagedProcess.Start("gateway 2", SystemUnderTest.Outputs.Gateway, [], environment, Path.Combine(directory.Path, "second.log"));
        var line = await second.WaitForOutputAsync(l => l.Contains("another gateway is already running", StringComparison.Ordinal), TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken);

        Assert.Contains(Path.Combine(directory.Path, "data"), line, StringComparison.Ordinal);
        await Eventually.TrueAsync(() => second.HasExited, TimeSpan.FromSeconds(30), "the second gateway exits");
        Assert.Equal(75, second.ExitCode);
        Assert.False(first.HasExited);
    }

    private static async Task AssertRefusedAsync(string assembly, string program, Dictionary<string, string> environment, TempDirectory directory, string expected)
    {
        await using var process = ManagedProcess.Start(program, assembly, [], environment, Path.Combine(directory.Path, "process.log"));
        var line = await process.WaitForOutputAsync(
            l => l.StartsWith($"{program}: invalid configuration:", StringComparison.Ordinal), TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken);

        Assert.Contains(expected, line, StringComparison.Ordinal);
        await Eventually.TrueAsync(() => process.HasExited, TimeSpan.FromSeconds(30), $"{program} exits");
        Assert.Equal(78, process.ExitCode);
    }
}
