using System.Net;
using System.Net.Sockets;
using EdgeGateway.Contracts.V1;
using EdgeGateway.Core;
using EdgeGateway.Hosting;
using EdgeGateway.Outbox;
using EdgeGateway.Uplink;
using EdgeGateway.Uplink.Mqtt;
using Google.Protobuf.WellKnownTypes;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using MQTTnet.Server;

namespace EdgeGateway.Benchmarks.Uplink;

/// <summary>An embedded MQTTnet broker on a free loopback port, the ack stand-in, and factories for outbox and uplink.</summary>
internal sealed class UplinkBenchRig : IAsyncDisposable
{
    private readonly MqttServer _broker;
    private readonly MonotonicMessageIdGenerator _ids = new(TimeProvider.System);

    private UplinkBenchRig(MqttServer broker, int port)
    {
        _broker = broker;
        Port = port;
    }

    public int Port { get; }

    public AckStandIn Fleet { get; } = new();

    public static async Task<UplinkBenchRig> StartAsync()
    {
        int port;
        using (var probe = new TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            port = ((IPEndPoint)probe.LocalEndpoint).Port;
        }

        var options = new MqttServerOptionsBuilder()
            .WithDefaultEndpoint()
            .WithDefaultEndpointBoundIPAddress(IPAddress.Loopback)
            .WithDefaultEndpointPort(port)
            .WithPersistentSessions()
            .WithMaxPendingMessagesPerClient(1_000_000)
            .Build();
        var broker = new MqttServerFactory().CreateMqttServer(options);
        await broker.StartAsync();
        var rig = new UplinkBenchRig(broker, port);
        await rig.Fleet.StartAsync(port);
        return rig;
    }

    /// <summary>The real durable LiteDB outbox in a fresh temp directory.</summary>
    public static DurableOutbox CreateOutbox(string deviceId)
    {
        var directory = Path.Combine(Path.GetTempPath(), "eg-bench-" + Guid.NewGuid().ToString("N"));
        var configuration = new ConfigurationBuilder().Build();
        var services = new ServiceCollection()
            .AddLogging()
            .AddSingleton(TimeProvider.System)
            .AddSingleton<IConfiguration>(configuration);
        services.AddOptions<GatewayOptions>().Configure(o =>
        {
            o.DeviceId = deviceId;
            o.DataDirectory = directory;
        });
        services.AddOutbox(configuration);
        var provider = services.BuildServiceProvider();
        return new DurableOutbox(provider, provider.GetRequiredService<LiteDbOutbox>(), directory);
    }

    public (MqttUplinkService Service, UplinkCounters Counters) CreateUplink(IOutbox outbox, string deviceId)
    {
        var counters = new UplinkCounters();
        var link = new LinkStateMachine(NullLogger<LinkStateMachine>.Instance, TimeProvider.System);
        var service = new MqttUplinkService(
            outbox,
            Options.Create(new MqttUplinkOptions { Host = "127.0.0.1", Port = Port, ReconnectMin = TimeSpan.FromMilliseconds(50), ReconnectMax = TimeSpan.FromMilliseconds(500) }),
            Options.Create(new GatewayOptions { DeviceId = deviceId }),
            link,
            counters,
            TimeProvider.System,
            EdgeGateway.Security.GatewayIdentity.DevelopmentPlaintext(deviceId),
            NullLogger<MqttUplinkService>.Instance);
        return (service, counters);
    }

    /// <summary>Stamped envelopes as the observation sink would make them.</summary>
    public List<Envelope> Envelopes(string deviceId, int count, PriorityClass priority = PriorityClass.Telemetry, string stream = "gnss")
    {
        var now = TimeProvider.System.GetUtcNow();
        var list = new List<Envelope>(count);
        for (var i = 0; i < count; i++)
        {
            list.Add(new Envelope
            {
                MessageId = _ids.NextString(),
                DeviceId = deviceId,
                Stream = stream,
                Sequence = (ulong)(i + 1),
                CapturedAt = Timestamp.FromDateTimeOffset(now),
                TimeSource = TimeSource.Gnss,
                Priority = priority,
                ExpiresAt = Timestamp.FromDateTimeOffset(now.AddDays(1)),
                Position = new Position { Latitude = 51.5 + (i % 1000 / 10_000.0), Longitude = -0.12 - (i % 700 / 10_000.0), Mode = FixMode._3D, SatellitesUsed = 10, SpeedMps = 13.4 },
            });
        }

        return list;
    }

    public async ValueTask DisposeAsync()
    {
        await Fleet.DisposeAsync();
        await _broker.StopAsync(new MqttServerStopOptions());
        _broker.Dispose();
    }

    internal sealed class DurableOutbox(ServiceProvider provider, LiteDbOutbox outbox, string directory) : IDisposable
    {
        public LiteDbOutbox Outbox { get; } = outbox;

        public void Dispose()
        {
            provider.Dispose();
            if (Directory.Exists(directory))
            {
                Directory.Delete(directory, recursive: true);
            }
        }
    }
}
