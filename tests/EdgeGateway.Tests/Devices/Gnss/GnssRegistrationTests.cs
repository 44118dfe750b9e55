using EdgeGateway.Core;
using EdgeGateway.Devices.Gnss;
using EdgeGateway.Transport;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace EdgeGateway.Tests.Devices.Gnss;

public sealed class GnssRegistrationTests
{
    private static ServiceProvider Build(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection()
            .AddSingleton<IConfiguration>(configuration)
            .AddSingleton<ILoggerFactory>(NullLoggerFactory.Instance)
            .AddSingleton<IObservationSink, InMemoryObservationSink>();
        services.AddGnss(configuration);
        return services.BuildServiceProvider();
    }

    [Fact]
    public void AddGnss_TcpProfile_RegistersAdapterHealthAndTcpConnector()
    {
        using var provider = Build(new()
        {
            ["Gnss:Transport"] = "Tcp",
            ["Gnss:Tcp:Host"] = "127.0.0.1",
            ["Gnss:Tcp:Port"] = "10110",
        });

        Assert.Contains(provider.GetServices<IHostedService>(), s => s is GnssAdapter);
        Assert.Contains(provider.GetServices<IHealthContributor>(), s => s is GnssHealthContributor);
        var connector = provider.GetRequiredKeyedService<IByteSourceConnector>(GnssAdapter.ConnectorKey);
        Assert.IsType<TcpByteSourceConnector>(connector);
        Assert.Equal("tcp 127.0.0.1:10110", connector.Description);
    }

    [Fact]
    public void AddGnss_SerialProfile_SerialConnector()
    {
        using var provider = Build(new() { ["Gnss:Serial:PortName"] = "/dev/ttyUSB7", ["Gnss:Serial:BaudRate"] = "4800" });

        var connector = provider.GetRequiredKeyedService<IByteSourceConnector>(GnssAdapter.ConnectorKey);

        Assert.Equal("serial /dev/ttyUSB7 @ 4800", connector.Description);
    }

    [Fact]
    public void VehicleProfile_SampleSettings_AreValid()
    {
        var sample = FindVehicleProfile();
        var configuration = new ConfigurationBuilder().AddJsonFile(sample).Build();
        var services = new ServiceCollection().AddSingleton<IConfiguration>(configuration);
        services.AddGnss(configuration);
        using var provider = services.BuildServiceProvider();

        var options = provider.GetRequiredService<Microsoft.Extensions.Options.IOptions<GnssOptions>>().Value;

        Assert.Equal("/dev/ttyUSB0", options.Serial.PortName);
        Assert.Null(configuration["Gateway:DeviceId"]); // every machine sets its own: two vans must never share an id
    }

    private static string FindVehicleProfile()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "src", "EdgeGateway", "appsettings.vehicle.json");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new FileNotFoundException("appsettings.vehicle.json");
    }
}
