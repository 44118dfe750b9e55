using EdgeGateway.Hosting;
using EdgeGateway.Uplink.Grpc;
using FleetControl.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace FleetControl.Tests.Registry;

/// <summary>The gateway's registration client (src/EdgeGateway/Uplink/Grpc) against a real FleetControl.</summary>
public sealed class GatewayRegistrationTests
{
    private static IHost BuildGateway(string deviceId, Uri fleetControl, GatewayRole role = GatewayRole.Vehicle)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Gateway:DeviceId"] = deviceId,
            ["Security:DevelopmentPlaintext"] = "true", // the named development override: this is not a security test
            ["Gateway:Role"] = role.ToString(),
            ["Gateway:FleetControlUrl"] = fleetControl.ToString(),
            ["Registration:InitialBackoff"] = "00:00:00.050",
            ["Registration:MaxBackoff"] = "00:00:00.200",
            ["Registration:MaxRetryAttempts"] = "2",
            ["Registration:RoundPause"] = "00:00:00.200",
            ["Registration:AttemptTimeout"] = "00:00:05",
        });
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddOptions<GatewayOptions>().BindConfiguration(GatewayOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddDeviceRegistration(builder.Configuration);
        return builder.Build();
    }

    [Fact]
    public async Task Register_FleetControlUp_AcceptedAndDeviceListed()
    {
        using var data = new TempDirectory();
        await using var fleet = await FleetControlInstance.StartAsync(data.Path, FreePort.Next());
        using var gateway = BuildGateway("dock-40", fleet.GrpcUri, GatewayRole.Dock);

        await gateway.StartAsync(TestContext.Current.CancellationToken).WaitAsync(Eventually.DefaultTimeout, TestContext.Current.CancellationToken);
        await gateway.Services.GetRequiredService<RegistrationState>().Registered.WaitAsync(Eventually.DefaultTimeout, TestContext.Current.CancellationToken);
        await gateway.StopAsync(TestContext.Current.CancellationToken).WaitAsync(Eventually.DefaultTimeout, TestContext.Current.CancellationToken);

        var device = (await fleet.FindDeviceAsync("dock-40"))!.Value;
        Assert.Equal("Dock", device.GetProperty("role").GetString());
        Assert.Equal(Environment.MachineName, device.GetProperty("hostname").GetString());
        Assert.False(string.IsNullOrEmpty(device.GetProperty("softwareVersion").GetString()));
    }

    [Fact]
    public async Task Register_FleetControlDown_GatewayStartsRetriesAndRegistersWhenItComesUp()
    {
        using var data = new TempDirectory();
        var grpcPort = FreePort.Next();
        using var gateway = BuildGateway("car-41", new Uri($"http://127.0.0.1:{grpcPort}"));
        var state = gateway.Services.GetRequiredService<RegistrationState>();

        // Start-up is not held up by an unreachable FleetControl.
        await gateway.StartAsync(TestContext.Current.CancellationToken).WaitAsync(TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken);
        await Eventually.UntilAsync(() => Task.FromResult(state.Attempts >= 4), "registration retried across rounds");
        Assert.False(state.IsRegistered);

        await using var fleet = await FleetControlInstance.StartAsync(data.Path, FreePort.Next(), $"--FleetControl:GrpcPort={grpcPort}");
        await state.Registered.WaitAsync(Eventually.DefaultTimeout, TestContext.Current.CancellationToken);
        await gateway.StopAsync(TestContext.Current.CancellationToken).WaitAsync(Eventually.DefaultTimeout, TestContext.Current.CancellationToken);

        Assert.Equal("Vehicle", (await fleet.FindDeviceAsync("car-41"))!.Value.GetProperty("role").GetString());
    }
}
