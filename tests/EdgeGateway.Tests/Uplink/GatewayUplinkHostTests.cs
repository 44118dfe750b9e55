using EdgeGateway.Contracts;
using EdgeGateway.Contracts.V1;
using EdgeGateway.Core;
using EdgeGateway.Health;
using EdgeGateway.Hosting;
using EdgeGateway.Outbox;
using EdgeGateway.Tests.Health;
using EdgeGateway.Uplink.Mqtt;
using Google.Protobuf.WellKnownTypes;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace EdgeGateway.Tests.Uplink;

/// <summary>The uplink in a host with the real LiteDB outbox and observation sink: observations in, FleetControl acks out.</summary>
public sealed class GatewayUplinkHostTests
{
    private static readonly TimeSpan Long = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Host_RealOutboxAndUplink_DeliversObservationsAndHealthThenEmptiesOutbox()
    {
        using var data = new TempDirectory();
        await using var broker = await EmbeddedBroker.StartAsync();
        await using var fleet = new FleetControlStandIn("127.0.0.1", broker.Port);
        var healthReceived = new TaskCompletionSource<Envelope>(TaskCreationOptions.RunContinuationsAsynchronously);
        fleet.EnvelopeReceived += (e, _, _) =>
        {
            if (e.Stream == HealthReporter.Stream && e.Health.LinkState == LinkState.Connected)
            {
                healthReceived.TrySetResult(e);
            }
        };
        await fleet.StartAsync();
        const string deviceId = "car-host-1";

        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Gateway:DeviceId"] = deviceId,
            ["Security:DevelopmentPlaintext"] = "true", // the named development override: this is not a security test
            ["Gateway:DataDirectory"] = data.Path,
            ["Mqtt:Host"] = "127.0.0.1",
            ["Mqtt:Port"] = broker.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Mqtt:ReconnectMin"] = "00:00:00.050",
            ["Mqtt:ReconnectMax"] = "00:00:00.500",
            ["Health:FileInterval"] = "00:00:00.200",
            ["Health:ReportInterval"] = "00:00:01",
        });
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddOptions<GatewayOptions>().BindConfiguration(GatewayOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddOutbox(builder.Configuration);
        builder.Services.AddMqttUplink(builder.Configuration);
        builder.Services.AddGatewayHealth(builder.Configuration);
        using var host = builder.Build();
        await host.StartAsync(TestContext.Current.CancellationToken).WaitAsync(Long, TestContext.Current.CancellationToken);

        var sink = host.Services.GetRequiredService<IObservationSink>();
        var ids = new List<string>();
        for (var i = 0; i < 100; i++)
        {
            var draft = new Envelope
            {
                Stream = "gnss",
                Priority = PriorityClass.Telemetry,
                CapturedAt = Timestamp.FromDateTimeOffset(TimeProvider.System.GetUtcNow()),
                TimeSource = TimeSource.Gnss,
                Position = new Position { Latitude = 52.2 + (i / 10_000.0), Longitude = 0.12, Mode = FixMode._3D },
            };
            Assert.Equal(EnqueueResult.Accepted, await sink.AcceptAsync(draft, TestContext.Current.CancellationToken));
            ids.Add(draft.MessageId);
        }

        var button = new Envelope { Stream = "button", Priority = PriorityClass.Emergency, Event = new DeviceEvent { Type = "emergency" } };
        Assert.Equal(EnqueueResult.Accepted, await sink.AcceptAsync(button, TestContext.Current.CancellationToken));
        ids.Add(button.MessageId);

        await Eventually.TrueAsync(() => ids.All(fleet.Received.ContainsKey), Long, "every observation reached the FleetControl stand-in");
        var outbox = host.Services.GetRequiredService<LiteDbOutbox>();
        await Eventually.TrueAsync(() => outbox.GetStatistics().AcknowledgedTotal >= 101, Long, "acknowledged messages deleted from the outbox");
        var health = await healthReceived.Task.WaitAsync(Long, TestContext.Current.CancellationToken);
        Assert.Equal(deviceId, health.DeviceId);
        Assert.True(health.Health.Counters.ContainsKey("uplink.published_messages"));

        var healthFile = Path.Combine(data.Path, HealthFile.FileName);
        await Eventually.TrueAsync(
            () => File.Exists(healthFile) && File.ReadAllText(healthFile).Contains("LINK_STATE_CONNECTED", StringComparison.Ordinal),
            Long,
            "health.json shows the link connected");
        Assert.Equal(LinkState.Connected, host.Services.GetRequiredService<LinkStateMachine>().Current);

        await host.StopAsync(CancellationToken.None).WaitAsync(Long, TestContext.Current.CancellationToken);
        var status = await broker.Server.GetRetainedMessageAsync(Topics.Status(deviceId)).WaitAsync(Long, TestContext.Current.CancellationToken);
        Assert.False(DeviceStatus.Parser.ParseFrom(status.Payload).Online);
    }
}
