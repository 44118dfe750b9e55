using EdgeGateway.Contracts.V1;
using EdgeGateway.Core;
using EdgeGateway.Hosting;
using Microsoft.Extensions.Options;

namespace EdgeGateway.Health;

/// <summary>Reports the free space on the volume that holds the data directory (outbox, evidence).</summary>
internal sealed class DiskSpaceHealthContributor(IOptions<GatewayOptions> gateway) : IHealthContributor
{
    public void Contribute(HealthReport report)
    {
        try
        {
            var directory = Path.GetFullPath(gateway.Value.DataDirectory);
            Directory.CreateDirectory(directory);
            report.FreeDiskBytes = (ulong)Math.Max(0, new DriveInfo(directory).AvailableFreeSpace);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or ArgumentException)
        {
            // Unknown free space stays 0; the report still goes out.
        }
    }
}
