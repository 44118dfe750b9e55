using System.Globalization;
using EdgeGateway.Core;
using EdgeGateway.Devices.Gnss;
using EdgeGateway.Devices.InCarVideo;
using EdgeGateway.Evidence;
using EdgeGateway.Hosting;
using EdgeGateway.Simulators.InCarCamera;
using EdgeGateway.Testing;
using EdgeGateway.Tests.Evidence;
using FleetControl.Tests.Evidence;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EdgeGateway.Tests.Devices.InCarVideo;

/// <summary>
/// The set-up the in-car video tests share: the gateway's settings for simulated cameras and a vault, the same settings for a
/// whole vehicle gateway process with simulated trigger inputs, the video feature hosted in-process, and the staging area.
/// </summary>
internal static class VideoTestRig
{
    /// <summary>The device id every video test's gateway runs as.</summary>
    public const string DeviceId = "vehicle-test";

    /// <summary>Video on with short segments, pre- and post-event times, one paired BWV camera, and the given cameras (front, rear).</summary>
    public static Dictionary<string, string?> Settings(string data, string vaultUrl, params InCarCameraSimulator[] cameras)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Gateway:DeviceId"] = DeviceId,
            ["Security:DevelopmentPlaintext"] = "true", // the named development override: this is not a security test
            ["Gateway:DataDirectory"] = data,
            ["Gateway:FleetControlUrl"] = vaultUrl,
            ["Evidence:MinFreeDiskBytes"] = "0",
            ["Evidence:RetryBaseDelay"] = "00:00:00.100",
            ["Video:Enabled"] = "true",
            ["Video:SegmentDuration"] = "00:00:01",
            ["Video:PreEvent"] = "00:00:03",
            ["Video:PostEvent"] = "00:00:02",
            ["Video:CheckInterval"] = "00:00:00.200",
            ["Video:RestartDelay"] = "00:00:00.500",
            ["Video:UploadRetryDelay"] = "00:00:00.500",
            ["Video:PairedBodyWornCameras:0"] = "BWV100001",
        };
        for (var i = 0; i < cameras.Length; i++)
        {
            settings[$"Video:Cameras:{i}:Name"] = i == 0 ? "front" : "rear";
            settings[$"Video:Cameras:{i}:Url"] = cameras[i].RecorderUrl;
        }

        return settings;
    }

    /// <summary>
    /// <see cref="Settings"/> for a whole vehicle gateway process (<c>GatewayProcess</c>): a GNSS receiver port nothing
    /// listens on, and the simulated trigger harness playing <paramref name="scenario"/> on the given inputs.
    /// </summary>
    public static Dictionary<string, string?> VehicleProcessSettings(string data, string vaultUrl, InCarCameraSimulator camera, string scenario, params (string Source, int Pin)[] inputs)
    {
        var settings = Settings(data, vaultUrl, camera);
        settings["Gateway:Role"] = "Vehicle";
        settings["Gnss:Transport"] = "Tcp";
        settings["Gnss:Tcp:Host"] = "127.0.0.1";
        settings["Gnss:Tcp:Port"] = VaultHost.FreePort().ToString(CultureInfo.InvariantCulture);
        settings["InCarVideo:Enabled"] = "true";
        settings["InCarVideo:Hardware"] = "Simulated";
        for (var i = 0; i < inputs.Length; i++)
        {
            settings[$"InCarVideo:Inputs:{i}:Source"] = inputs[i].Source;
            settings[$"InCarVideo:Inputs:{i}:Pin"] = inputs[i].Pin.ToString(CultureInfo.InvariantCulture);
        }

        settings["InCarVideo:ScenarioFile"] = scenario;
        return settings;
    }

    /// <summary>A free UDP port on loopback for a simulated camera's stream.</summary>
    public static int FreeUdpPort()
    {
        using var socket = new System.Net.Sockets.UdpClient(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 0));
        return ((System.Net.IPEndPoint)socket.Client.LocalEndPoint!).Port;
    }

    /// <summary>The gateway's staging area under <paramref name="data"/>, read as the test's own view of clips and custody.</summary>
    public static StagingArea Staging(string data) =>
        new(Options.Create(new EvidenceOptions()), Options.Create(new GatewayOptions { DeviceId = DeviceId, DataDirectory = data }));

    /// <summary>
    /// The video feature alone, in-process (not started): system time, a <see cref="CapturingSink"/> for what it reports, and
    /// <paramref name="gnss"/> when the test plays positions (depot geofences).
    /// </summary>
    public static IHost BuildHost(Dictionary<string, string?> settings, GnssCounters? gnss = null)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Logging.ClearProviders();
        builder.Logging.AddProvider(new TestOutputLoggerProvider()); // printed when the test fails
        builder.Logging.SetMinimumLevel(LogLevel.Debug);
        builder.Logging.AddFilter("Microsoft", LogLevel.Warning);
        builder.Services.AddSingleton(TimeProvider.System);
        if (gnss is not null)
        {
            builder.Services.AddSingleton(gnss);
        }

        builder.Services.AddOptions<GatewayOptions>().BindConfiguration(GatewayOptions.SectionName);
        builder.Services.AddSingleton<IObservationSink, CapturingSink>();
        builder.Services.AddInCarVideo(builder.Configuration);
        return builder.Build();
    }

    /// <summary><see cref="BuildHost"/>, started (bounded by <paramref name="patience"/>).</summary>
    public static async Task<IHost> StartHostAsync(Dictionary<string, string?> settings, TimeSpan patience, CancellationToken cancellationToken, GnssCounters? gnss = null)
    {
        var host = BuildHost(settings, gnss);
        await host.StartAsync(cancellationToken).WaitAsync(patience, cancellationToken);
        return host;
    }
}
