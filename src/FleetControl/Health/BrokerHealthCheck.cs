using FleetControl.Ingest;
using FleetControl.Mqtt;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace FleetControl.Health;

/// <summary>
/// Ready when the embedded broker listens (in embedded mode) and FleetControl's own ingest client is connected
/// to the broker, so what devices publish is being stored.
/// </summary>
internal sealed class BrokerHealthCheck(IServiceProvider services, MqttIngestClient ingest, IOptions<MqttOptions> options) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var settings = options.Value;
        if (services.GetService<EmbeddedBroker>() is { } broker && !broker.IsListening)
        {
            return Task.FromResult(HealthCheckResult.Unhealthy($"the embedded broker is not listening on {settings.BindAddress}:{settings.Port}"));
        }

        return Task.FromResult(ingest.NotConnected is { } down
            ? HealthCheckResult.Unhealthy($"ingest connection {down} not connected to the {settings.Mode} broker")
            : HealthCheckResult.Healthy($"ingest connected to the broker ({settings.Mode})"));
    }
}
