using EdgeGateway.Contracts.V1;
using EdgeGateway.Core;
using EdgeGateway.Evidence;
using EdgeGateway.Hosting;
using Grpc.Core.Interceptors;
using Grpc.Net.Client;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace EdgeGateway.Tests.Evidence;

/// <summary>The gateway's dock role (real evidence services) in-process, against a real vault URL.</summary>
internal sealed class DockGateway : IAsyncDisposable
{
    private readonly IHost _host;

    private DockGateway(IHost host, string dataDirectory)
    {
        _host = host;
        DataDirectory = dataDirectory;
    }

    public string DataDirectory { get; }

    public CapturingSink Sink => (CapturingSink)_host.Services.GetRequiredService<IObservationSink>();

    public EvidenceCounters Counters => _host.Services.GetRequiredService<EvidenceCounters>();

    public StagingArea Staging => _host.Services.GetRequiredService<StagingArea>();

    public static Dictionary<string, string?> Settings(string baysRoot, string dataDirectory, string vaultUrl, int bays = 4) => new()
    {
        ["Gateway:DeviceId"] = "dock-test",
        ["Security:DevelopmentPlaintext"] = "true", // the named development override: this is not a security test
        ["Gateway:Role"] = "Dock",
        ["Gateway:DataDirectory"] = dataDirectory,
        ["Gateway:FleetControlUrl"] = vaultUrl,
        ["Dock:BaysRoot"] = baysRoot,
        ["Dock:Bays"] = bays.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Dock:ScanInterval"] = "00:00:00.100",
        ["Dock:SettleTime"] = "00:00:00", // seeded recordings are complete when docked (written just now, so the 3 s default would hold them by their age); settling has its own tests
        ["Evidence:StatusInterval"] = "00:00:00.200",
        ["Evidence:RetryBaseDelay"] = "00:00:00.100",
        ["Evidence:FailedItemBackoff"] = "00:00:00.300",
        ["Evidence:CheckpointBytes"] = (4 * 1024 * 1024).ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Evidence:MinFreeDiskBytes"] = "0",
    };

    public static async Task<DockGateway> StartAsync(Dictionary<string, string?> settings, Interceptor? clientInterceptor = null)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddOptions<GatewayOptions>().BindConfiguration(GatewayOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<IObservationSink, CapturingSink>();
        if (clientInterceptor is not null)
        {
            var channel = GrpcChannel.ForAddress(settings["Gateway:FleetControlUrl"]!);
            builder.Services.AddSingleton(new EvidenceVault.EvidenceVaultClient(channel.Intercept(clientInterceptor)));
        }

        builder.Services.AddEvidenceOffload(builder.Configuration);
        var host = builder.Build();
        await host.StartAsync().WaitAsync(TimeSpan.FromSeconds(30));
        return new DockGateway(host, settings["Gateway:DataDirectory"]!);
    }

    public CustodyLog Custody(string evidenceId) => Staging.OpenCustody(evidenceId);

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync().WaitAsync(TimeSpan.FromSeconds(30));
        _host.Dispose();
    }
}
