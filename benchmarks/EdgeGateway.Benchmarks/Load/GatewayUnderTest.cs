using System.Diagnostics;
using System.Globalization;
using EdgeGateway.Contracts.V1;
using EdgeGateway.Core;
using EdgeGateway.Health;
using EdgeGateway.Hosting;
using EdgeGateway.Outbox;
using EdgeGateway.Uplink;
using EdgeGateway.Uplink.Mqtt;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace EdgeGateway.Benchmarks.Load;

/// <summary>
/// The gateway in-process with GatewayHost's shared registrations (outbox + sink, MQTT uplink,
/// health) and no device adapters; configuration in memory. Its <see cref="IOutbox"/> is the real
/// LiteDB outbox behind <see cref="ObservingOutbox"/>.
/// </summary>
internal sealed class GatewayUnderTest : IAsyncDisposable
{
    public const string DeviceId = "load-gw";

    private readonly IHost _host;
    private readonly TaskCompletionSource _connected = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _connectedAt;

    private GatewayUnderTest(IHost host)
    {
        _host = host;
        host.Services.GetRequiredService<LinkStateMachine>().Changed += change =>
        {
            if (change.To == LinkState.Connected)
            {
                Interlocked.CompareExchange(ref _connectedAt, Stopwatch.GetTimestamp(), 0);
                _connected.TrySetResult();
            }
        };
    }

    public IObservationSink Sink => _host.Services.GetRequiredService<IObservationSink>();

    public LiteDbOutbox Outbox => _host.Services.GetRequiredService<LiteDbOutbox>();

    public MonotonicMessageIdGenerator Ids => _host.Services.GetRequiredService<MonotonicMessageIdGenerator>();

    public UplinkCounters Counters => _host.Services.GetRequiredService<UplinkCounters>();

    /// <summary>Stopwatch ticks of the first transition to Connected, 0 before.</summary>
    public long ConnectedAt => Interlocked.Read(ref _connectedAt);

    /// <summary>Completes at the first transition to Connected.</summary>
    public Task Connected => _connected.Task;

    /// <summary>The gateway's services (e.g. a feature registered through <c>addFeatures</c>).</summary>
    public IServiceProvider Services => _host.Services;

    /// <summary>Starts the gateway; <paramref name="addFeatures"/> registers device features beside the shared part (e.g. ANPR).</summary>
    public static async Task<GatewayUnderTest> StartAsync(string dataDirectory, int mqttPort, AckObserver observer, IReadOnlyDictionary<string, string?> overrides, Action<IServiceCollection, IConfiguration>? addFeatures = null)
    {
        var settings = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase)
        {
            ["Gateway:DeviceId"] = DeviceId,
            ["Security:DevelopmentPlaintext"] = "true", // the named development override: this is not a security test
            ["Gateway:Role"] = "Vehicle",
            ["Gateway:DataDirectory"] = dataDirectory,
            ["Gateway:FleetControlUrl"] = "http://127.0.0.1:5081",
            ["Mqtt:Host"] = "127.0.0.1",
            ["Mqtt:Port"] = mqttPort.ToString(CultureInfo.InvariantCulture),
            // Fast link-up detection so "drain start" measures the pipeline, not a 30 s backoff.
            ["Mqtt:ReconnectMin"] = "00:00:00.050",
            ["Mqtt:ReconnectMax"] = "00:00:00.500",
            ["Mqtt:ReachabilityProbeInterval"] = "00:00:00.050",
            ["Outbox:FreeDiskReserveBytes"] = "0",
            ["Logging:LogLevel:Default"] = "Warning",
        };
        foreach (var (key, value) in overrides)
        {
            settings[key] = value;
        }

        Directory.CreateDirectory(dataDirectory);
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true, ContentRootPath = dataDirectory });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Logging.AddConfiguration(builder.Configuration.GetSection("Logging"));
        builder.Logging.AddSimpleConsole(o => o.SingleLine = true);

        // GatewayHost.CreateBuilder's shared part, minus AddSystemd and device registration/adapters.
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddOptions<GatewayOptions>()
            .BindConfiguration(GatewayOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddOutbox(builder.Configuration);
        builder.Services.AddMqttUplink(builder.Configuration);
        builder.Services.AddGatewayHealth(builder.Configuration);
        addFeatures?.Invoke(builder.Services, builder.Configuration);
        builder.Services.AddSingleton<IOutbox>(sp => new ObservingOutbox(sp.GetRequiredService<LiteDbOutbox>(), observer));

        var host = builder.Build();
        var gateway = new GatewayUnderTest(host);
        await host.StartAsync().ConfigureAwait(false);
        return gateway;
    }

    /// <summary>Outbox depth over all classes (internal health and data-loss messages included).</summary>
    public long Depth() => Outbox.GetStatistics().Classes.Sum(c => c.Depth);

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync().ConfigureAwait(false);
        _host.Dispose();
    }
}
