using EdgeGateway.Evidence;
using EdgeGateway.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EdgeGateway.Tests.Evidence;

public sealed class EvidenceRegistrationTests
{
    [Theory]
    [InlineData("Dock:Bays", "0", "Dock:Bays")]
    [InlineData("Dock:BaysRoot", "", "Dock:BaysRoot")]
    [InlineData("Evidence:MaxConcurrentTransfers", "0", "Evidence:MaxConcurrentTransfers")]
    [InlineData("Evidence:ChunkBytes", "100", "Evidence:ChunkBytes")]
    [InlineData("Dock:RecordingExtensions:0", "m p4", "Dock:RecordingExtensions")]
    [InlineData("Dock:RecordingExtensions:0", "json", "Dock:RecordingExtensions")]
    [InlineData("Dock:FullRescanInterval", "00:00:00", "Dock:FullRescanInterval")]
    public async Task Start_BadSetting_FailsNamingTheSetting(string key, string value, string named)
    {
        using var dir = new TempDirectory();
        var settings = DockGateway.Settings(dir.Sub("bays"), dir.Sub("data"), "http://127.0.0.1:1");
        settings[key] = value;
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Logging.ClearProviders();
        builder.Services.AddOptions<GatewayOptions>().BindConfiguration(GatewayOptions.SectionName);
        builder.Services.AddEvidenceOffload(builder.Configuration);
        using var host = builder.Build();

        var e = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync(TestContext.Current.CancellationToken).WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken));

        Assert.Contains(named, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void DockOptions_ConfiguredExtensions_ReplaceTheDefaultRatherThanAddToIt()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Dock:RecordingExtensions:0"] = "MKV",
            ["Dock:RecordingExtensions:1"] = ".wav",
        }).Build();

        var configured = configuration.GetSection("Dock").Get<EdgeGateway.Devices.Bwv.DockOptions>()!;
        var unconfigured = new ConfigurationBuilder().Build().GetSection("Dock").Get<EdgeGateway.Devices.Bwv.DockOptions>() ?? new();

        Assert.Equal([".MKV", ".wav"], configured.ExtensionSet().Order(StringComparer.Ordinal).ToArray());
        Assert.Contains(".mp4", unconfigured.ExtensionSet());
        Assert.Contains(".JPG", unconfigured.ExtensionSet()); // case-insensitive
    }

    [Fact]
    public void RoleOf_DockProfile_SelectsDockRole()
    {
        var configuration = new ConfigurationBuilder().AddJsonFile(Path.Combine(AppContext.BaseDirectory, "appsettings.dock.json"), optional: false).Build();

        Assert.Equal(GatewayRole.Dock, GatewayHost.RoleOf(configuration));
        Assert.Null(configuration["Gateway:DeviceId"]); // every dock sets its own id
        Assert.Equal("8", configuration["Dock:Bays"]);
    }
}
