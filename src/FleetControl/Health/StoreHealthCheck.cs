using FleetControl.Hosting;
using FleetControl.Store;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace FleetControl.Health;

/// <summary>Ready when the data directory takes a durable write and the fleet store answers a query.</summary>
internal sealed class StoreHealthCheck(IOptions<FleetControlOptions> options, IFleetStore store) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var directory = Path.GetFullPath(options.Value.DataDirectory);
        if (WriteProbe.Try(directory) is { } problem)
        {
            return HealthCheckResult.Unhealthy($"store not writable: {problem} (FleetControl:DataDirectory)");
        }

        try
        {
            var devices = await store.CountDevicesAsync(cancellationToken).ConfigureAwait(false);
            return HealthCheckResult.Healthy($"store writable in {directory}, {devices} devices");
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return HealthCheckResult.Unhealthy($"store does not answer: {e.Message}", e);
        }
    }
}
