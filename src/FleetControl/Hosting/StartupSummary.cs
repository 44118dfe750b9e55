using FleetControl.Mqtt;
using Microsoft.Extensions.Options;

namespace FleetControl.Hosting;

/// <summary>Logs, once the server is up, where FleetControl listens and keeps its data.</summary>
internal sealed class StartupSummary(
    IHostApplicationLifetime lifetime,
    FleetEndpoints endpoints,
    IOptions<FleetControlOptions> fleet,
    IOptions<MqttOptions> mqtt,
    Identity.TransportSecurity security,
    ILogger<StartupSummary> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        lifetime.ApplicationStarted.Register(() =>
        {
            var m = mqtt.Value;
            var broker = m.Mode == MqttMode.Embedded
                ? $"embedded broker on {m.BindAddress}:{m.Port} ({security.LinkLabel})"
                : $"external broker {m.Host}:{m.Port} ({security.LinkLabel})";
            Api.Log.Listening(logger, $"{endpoints.RestUri} ({(endpoints.RestTls ? "TLS" : security.LinkLabel)})", $"{endpoints.GrpcUri} ({security.LinkLabel})", broker, Path.GetFullPath(fleet.Value.DataDirectory));
        });
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
