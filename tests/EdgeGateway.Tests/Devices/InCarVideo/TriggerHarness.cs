using EdgeGateway.Contracts.V1;
using EdgeGateway.Core;
using EdgeGateway.Devices.Gnss;
using EdgeGateway.Devices.InCarVideo;
using EdgeGateway.Devices.InCarVideo.Simulation;
using EdgeGateway.Tests.Devices.Gnss;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace EdgeGateway.Tests.Devices.InCarVideo;

/// <summary>
/// The in-car video trigger services as the gateway registers them (<c>AddInCarVideo</c>), on the simulated harness,
/// writing into an in-memory sink. Started on construction, stopped on dispose.
/// </summary>
internal sealed class TriggerHarness : IAsyncDisposable
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    private readonly ServiceProvider _provider;
    private readonly IHostedService[] _services;

    private TriggerHarness(ServiceProvider provider)
    {
        _provider = provider;
        _services = provider.GetServices<IHostedService>().ToArray();
    }

    public InMemoryObservationSink Sink => (InMemoryObservationSink)_provider.GetRequiredService<IObservationSink>();

    public SimulatedVehicleHardware Hardware => _provider.GetRequiredService<SimulatedVehicleHardware>();

    public InCarVideoCounters Counters => _provider.GetRequiredService<InCarVideoCounters>();

    public GnssCounters Gnss => _provider.GetRequiredService<GnssCounters>();

    public ITriggerPublisher Publisher => _provider.GetRequiredService<ITriggerPublisher>();

    public IServiceProvider Services => _provider;

    /// <summary>Simulated harness with the light bar on GPIO 17, siren on 27 (active low) and the officer button on 22 (momentary).</summary>
    public static Dictionary<string, string?> GpioSettings(string detection = "Interrupt") => new()
    {
        ["InCarVideo:Enabled"] = "true",
        ["InCarVideo:Hardware"] = "Simulated",
        ["InCarVideo:Detection"] = detection,
        ["InCarVideo:PollInterval"] = "00:00:00.010",
        ["InCarVideo:Inputs:0:Source"] = "light-bar",
        ["InCarVideo:Inputs:0:Pin"] = "17",
        ["InCarVideo:Inputs:1:Source"] = "siren",
        ["InCarVideo:Inputs:1:Pin"] = "27",
        ["InCarVideo:Inputs:1:ActiveLow"] = "true",
        ["InCarVideo:Inputs:2:Source"] = "officer-button",
        ["InCarVideo:Inputs:2:Pin"] = "22",
        ["InCarVideo:Inputs:2:Momentary"] = "true",
    };

    public static async Task<TriggerHarness> StartAsync(Dictionary<string, string?> settings, TimeProvider? time = null, Action<SimulatedVehicleHardware>? wiring = null, Action<IServiceCollection>? configure = null)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection()
            .AddSingleton<IConfiguration>(configuration)
            .AddSingleton<ILoggerFactory>(NullLoggerFactory.Instance)
            .AddSingleton(typeof(ILogger<>), typeof(NullLogger<>))
            .AddSingleton<IObservationSink, InMemoryObservationSink>()
            .AddSingleton<GnssCounters>();
        if (time is not null)
        {
            services.AddSingleton(time);
        }

        configure?.Invoke(services);
        services.AddInCarVideo(configuration);
        var harness = new TriggerHarness(services.BuildServiceProvider());
        wiring?.Invoke(harness.Hardware); // the state of the harness before the gateway starts
        foreach (var service in harness._services)
        {
            await service.StartAsync(TestContext.Current.CancellationToken).WaitAsync(Timeout, TestContext.Current.CancellationToken);
        }

        return harness;
    }

    /// <summary>Waits for the trigger events of <paramref name="source"/> until there are <paramref name="count"/>.</summary>
    public async Task<IReadOnlyList<DeviceEvent>> TriggersAsync(string source, int count)
    {
        var all = await Sink.WaitUntilAsync(e => Of(e, source).Count >= count, Timeout);
        return Of(all, source);
    }

    /// <summary>The trigger events of <paramref name="source"/> received so far.</summary>
    public IReadOnlyList<DeviceEvent> TriggersNow(string source) => Of(Sink.Snapshot(), source);

    private static List<DeviceEvent> Of(IReadOnlyList<Envelope> envelopes, string source) =>
        envelopes.Where(e => e.Stream == TriggerEventWriter.Stream && e.Event.Attributes["source"] == source).Select(e => e.Event).ToList();

    public async ValueTask DisposeAsync()
    {
        foreach (var service in _services.Reverse())
        {
            await service.StopAsync(CancellationToken.None).WaitAsync(Timeout);
        }

        await _provider.DisposeAsync();
    }
}
