using System.Globalization;
using FleetControl.Hosting;
using FleetControl.Ingest;
using FleetControl.Store;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace EdgeGateway.Benchmarks.Load;

/// <summary>
/// FleetControl in-process exactly as its host builds it (embedded broker, LiteDB store, ingest) on
/// free ports and a temp directory, with <see cref="ObservingAckPublisher"/> around the ack publisher.
/// </summary>
internal sealed class FleetControlUnderTest : IAsyncDisposable
{
    private readonly WebApplication _app;

    private FleetControlUnderTest(WebApplication app) => _app = app;

    public IFleetStore Store => _app.Services.GetRequiredService<IFleetStore>();

    public IngestStats Stats => _app.Services.GetRequiredService<IngestStats>();

    /// <summary>REST (engineers) and gRPC (gateways) addresses, bound to free ports.</summary>
    public FleetEndpoints Endpoints => _app.Services.GetRequiredService<FleetEndpoints>();

    /// <summary>The device CA gateways trust (<c>{DataDirectory}/identity/ca.crt</c>).</summary>
    public string CaCertificateFile => _app.Services.GetRequiredService<FleetControl.Identity.CertificateAuthority>().RootFile;

    /// <summary>The device CA's certificate.</summary>
    public System.Security.Cryptography.X509Certificates.X509Certificate2 CaCertificate => _app.Services.GetRequiredService<FleetControl.Identity.CertificateAuthority>().Root;

    /// <summary>
    /// Starts the host; returns once the broker listens (ingest may still be subscribing). <paramref name="tls"/>: mutual
    /// TLS on MQTT and gRPC, the product's default; otherwise the development override <c>Identity:DevelopmentPlaintext</c>.
    /// </summary>
    public static async Task<FleetControlUnderTest> StartAsync(string dataDirectory, int mqttPort, AckObserver observer, bool tls = false)
    {
        string[] args =
        [
            $"--FleetControl:DataDirectory={dataDirectory}",
            "--FleetControl:HttpPort=0",
            "--FleetControl:GrpcPort=0",
            $"--Identity:DevelopmentPlaintext={(tls ? "false" : "true")}",
            $"--Mqtt:Port={mqttPort.ToString(CultureInfo.InvariantCulture)}",
            "--Logging:LogLevel:Default=" + (Environment.GetEnvironmentVariable("LOAD_FLEET_LOG_LEVEL") ?? "Warning"),
        ];
        var builder = FleetControlHost.CreateBuilder(args);
        builder.Services.AddSingleton<IAckPublisher>(sp => new ObservingAckPublisher(sp.GetRequiredService<MqttIngestClient>(), observer));
        builder.Services.AddSingleton<IFleetStore>(sp => new ObservingFleetStore(sp.GetRequiredService<LiteDbFleetStore>(), observer));
        var app = builder.Build();
        FleetControlHost.Map(app);
        await app.StartAsync().ConfigureAwait(false);
        TapBroker(app, observer);
        return new FleetControlUnderTest(app);
    }

    /// <summary>
    /// Times the watched class's publishes as the embedded broker receives them from the gateway (before it routes them
    /// to FleetControl's ingest), which splits gateway-to-broker from broker-to-store. Only urgent topics are parsed.
    /// </summary>
    private static void TapBroker(WebApplication app, AckObserver observer)
    {
        var server = app.Services.GetRequiredService<FleetControl.Mqtt.EmbeddedBroker>().Server
            ?? throw new InvalidOperationException("the embedded broker has not started");
        server.InterceptingPublishAsync += e =>
        {
            if (e.ApplicationMessage.Topic.Contains("/events/", StringComparison.Ordinal))
            {
                var batch = EdgeGateway.Contracts.V1.EnvelopeBatch.Parser.ParseFrom(e.ApplicationMessage.Payload);
                observer.BrokerReceived(batch.Envelopes.Select(v => v.MessageId));
            }

            return Task.CompletedTask;
        };
    }

    /// <summary>Completes when FleetControl's ingest client has subscribed to the device topics.</summary>
    public Task IngestSubscribed => _app.Services.GetRequiredService<MqttIngestClient>().Subscribed;

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }
}
