using EdgeGateway.Devices.InCarVideo;
using EdgeGateway.Devices.InCarVideo.Simulation;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace EdgeGateway.Tests.Devices.InCarVideo;

public sealed class InCarVideoRegistrationTests
{
    [Fact]
    public void VehicleProfile_ShippedSection_BindsValidAndOff()
    {
        var configuration = new ConfigurationBuilder().AddJsonFile(Path.Combine(EdgeGateway.Testing.TestData.RepositoryRoot, "src", "EdgeGateway", "appsettings.vehicle.json")).Build();
        var services = new ServiceCollection().AddSingleton<IConfiguration>(configuration);
        services.AddInCarVideo(configuration);
        using var provider = services.BuildServiceProvider();

        var options = provider.GetRequiredService<IOptions<InCarVideoOptions>>().Value;

        Assert.False(options.Enabled);
        Assert.Equal(TimeSpan.FromMilliseconds(200), options.Debounce);
        Assert.Equal(0x68, options.Accelerometer.Device.Address);
        Assert.Equal(0x40, options.Supply.Device.Address);
        Assert.Equal(0x20, options.Expander.Address);
        Assert.DoesNotContain(services, s => s.ImplementationType == typeof(DiscreteInputMonitor));
    }

    [Fact]
    public void Enabled_LinuxHardware_RealBusesAndBothMonitors_NoSimulator()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["InCarVideo:Enabled"] = "true" }).Build();
        var services = new ServiceCollection();
        services.AddInCarVideo(configuration);

        Assert.Contains(services, s => s.ServiceType == typeof(IVehicleHardware) && s.ImplementationType == typeof(LinuxVehicleHardware));
        Assert.Contains(services, s => s.ServiceType == typeof(IHostedService) && s.ImplementationType == typeof(DiscreteInputMonitor));
        Assert.Contains(services, s => s.ServiceType == typeof(IHostedService) && s.ImplementationType == typeof(SensorMonitor));
        Assert.DoesNotContain(services, s => s.ServiceType == typeof(SimulatedVehicleHardware));
    }
}
