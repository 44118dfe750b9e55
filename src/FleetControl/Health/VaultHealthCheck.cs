using System.Globalization;
using FleetControl.Evidence;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace FleetControl.Health;

/// <summary>Ready when the evidence vault's directory takes writes and keeps at least <see cref="FleetHealthOptions.VaultMinFreeBytes"/> free.</summary>
internal sealed class VaultHealthCheck(VaultStorage vault, IOptions<FleetHealthOptions> options) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (WriteProbe.Try(vault.Directory) is { } problem)
        {
            return Task.FromResult(HealthCheckResult.Unhealthy($"vault not writable: {problem} (Evidence:VaultDirectory)"));
        }

        var free = new DriveInfo(vault.Directory).AvailableFreeSpace;
        var minimum = options.Value.VaultMinFreeBytes;
        var data = new Dictionary<string, object> { ["freeBytes"] = free, ["minFreeBytes"] = minimum };
        return Task.FromResult(free < minimum
            ? HealthCheckResult.Unhealthy(string.Create(CultureInfo.InvariantCulture, $"vault disk nearly full: {free} bytes free in {vault.Directory}, Health:VaultMinFreeBytes is {minimum}"), data: data)
            : HealthCheckResult.Healthy(string.Create(CultureInfo.InvariantCulture, $"vault writable, {free} bytes free"), data));
    }
}
