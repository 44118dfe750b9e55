using EdgeGateway.Core;
using EdgeGateway.Devices.Anpr;
using EdgeGateway.Devices.Anpr.Hotlists;
using EdgeGateway.Hosting;
using EdgeGateway.Testing;
using EdgeGateway.Tests.Devices.Gnss;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace EdgeGateway.Tests.Devices.Anpr;

/// <summary>The ANPR adapter as the gateway registers it, on a real port, with an in-memory sink for the outbox.</summary>
internal sealed class AnprHarness : IAsyncDisposable
{
    private readonly TempDirectory _directory = new();
    private readonly ServiceProvider _provider;
    private readonly List<IHostedService> _started = [];

    private AnprHarness(Dictionary<string, string?> extra)
    {
        Port = FreePort.Next();
        var settings = new Dictionary<string, string?>
        {
            ["Gateway:DeviceId"] = "vehicle-t",
            ["Gateway:DataDirectory"] = _directory.Path,
            ["Anpr:Enabled"] = "true",
            ["Anpr:Port"] = Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Anpr:MaxImageBytes"] = "4096",
        };
        foreach (var (key, value) in extra)
        {
            settings[key] = value;
        }

        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection()
            .AddSingleton<IConfiguration>(configuration)
            .AddSingleton<ILoggerFactory>(NullLoggerFactory.Instance)
            .AddSingleton(typeof(ILogger<>), typeof(NullLogger<>))
            .AddSingleton<IObservationSink>(Sink);
        services.AddOptions<GatewayOptions>().BindConfiguration(GatewayOptions.SectionName);
        services.AddAnpr(configuration);
        _provider = services.BuildServiceProvider();
        Http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{Port}"), Timeout = TimeSpan.FromSeconds(20) };
    }

    public int Port { get; }

    public InMemoryObservationSink Sink { get; } = new();

    public HttpClient Http { get; }

    public string DataDirectory => _directory.Path;

    public AnprCounters Counters => _provider.GetRequiredService<AnprCounters>();

    public HotlistHolder Hotlist => _provider.GetRequiredService<HotlistHolder>();

    public AnprHitFeed Feed => _provider.GetRequiredService<AnprHitFeed>();

    public static async Task<AnprHarness> StartAsync(Dictionary<string, string?>? extra = null)
    {
        var harness = new AnprHarness(extra ?? []);
        foreach (var service in harness._provider.GetServices<IHostedService>())
        {
            await service.StartAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(20));
            harness._started.Add(service);
        }

        await harness._provider.GetRequiredService<AnprCameraListener>().Listening.Task.WaitAsync(TimeSpan.FromSeconds(20));
        return harness;
    }

    /// <summary>A tiny JPEG-shaped image (start-of-image marker, then unique bytes).</summary>
    public static byte[] Jpeg(int seed, int size = 600)
    {
        var bytes = new byte[size];
        new Random(seed).NextBytes(bytes);
        bytes[0] = 0xFF;
        bytes[1] = 0xD8;
        bytes[2] = 0xFF;
        return bytes;
    }

    public static string Metadata(string vrm, string timestamp = "2026-12-01T06:00:00.250Z", string camera = "cam-front") =>
        $$"""{"vrm":"{{vrm}}","confidence":0.93,"country":"GB","cameraId":"{{camera}}","timestamp":"{{timestamp}}","lane":"2"}""";

    public static MultipartFormDataContent Post(string? metadata, byte[]? plate, byte[]? overview)
    {
        var content = new MultipartFormDataContent();
        if (metadata is not null)
        {
            content.Add(new StringContent(metadata), "metadata");
        }

        if (plate is not null)
        {
            content.Add(new ByteArrayContent(plate), "plate", "plate.jpg");
        }

        if (overview is not null)
        {
            content.Add(new ByteArrayContent(overview), "overview", "overview.jpg");
        }

        return content;
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        foreach (var service in Enumerable.Reverse(_started))
        {
            await service.StopAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(20));
        }

        await _provider.DisposeAsync();
        _directory.Dispose();
    }
}
