using EdgeGateway.Devices.Gnss;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace EdgeGateway.Tests.Devices.Gnss;

public sealed class GnssOptionsTests
{
    private static GnssOptions Resolve(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection().AddSingleton<IConfiguration>(configuration);
        services.AddOptions<GnssOptions>().BindConfiguration(GnssOptions.SectionName).ValidateDataAnnotations();
        using var provider = services.BuildServiceProvider();
        return provider.GetRequiredService<IOptions<GnssOptions>>().Value;
    }

    [Fact]
    public void Bind_TcpWithDurations_Parsed()
    {
        var options = Resolve(new()
        {
            ["Gnss:Transport"] = "Tcp",
            ["Gnss:Tcp:Host"] = "127.0.0.1",
            ["Gnss:Tcp:Port"] = "10110",
            ["Gnss:Thinning:MaxInterval"] = "00:01:00",
        });

        Assert.Equal(GnssTransportKind.Tcp, options.Transport);
        Assert.Equal(TimeSpan.FromMinutes(1), options.Thinning.MaxInterval);
    }

    [Theory]
    [InlineData("Gnss:Serial:PortName", "Serial", "Gnss:Serial:PortName", "")]
    [InlineData("Gnss:Tcp:Port", "Tcp", "Gnss:Tcp:Port", "0")]
    [InlineData("Gnss:ReconnectMinDelay", "Serial", "Gnss:ReconnectMinDelay", "00:00:00")]
    [InlineData("Gnss:Thinning:MaxInterval", "Serial", "Gnss:Thinning:MaxInterval", "00:00:00")]
    [InlineData("Gnss:Thinning:MinHeadingChangeDegrees", "Serial", "Gnss:Thinning:MinHeadingChangeDegrees", "270")]
    public void Validate_BadSetting_ErrorNamesTheSetting(string expectedName, string transport, string key, string value)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Gnss:Transport"] = transport,
            ["Gnss:Serial:PortName"] = "/dev/ttyUSB0",
            ["Gnss:Tcp:Host"] = "localhost",
            ["Gnss:Tcp:Port"] = "10110",
            [key] = value,
        };

        var error = Assert.Throws<OptionsValidationException>(() => Resolve(settings));

        Assert.Contains(expectedName, error.Message, StringComparison.Ordinal);
    }
}
