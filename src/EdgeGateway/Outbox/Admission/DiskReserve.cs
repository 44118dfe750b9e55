using EdgeGateway.Contracts.V1;
using Microsoft.Extensions.Logging;

namespace EdgeGateway.Outbox.Admission;

/// <summary>
/// Watches free space on the data volume and refuses the lowest classes first as it fills:
/// below <see cref="OutboxOptions.FreeDiskReserveBytes"/> Telemetry and Bulk, below half of it
/// Read and Event too; Emergency and Alert are always stored while LiteDB can write.
/// </summary>
/// <remarks>Not thread-safe: used with the outbox lock held.</remarks>
internal sealed class DiskReserve
{
    private readonly long _reserveBytes;
    private readonly ILogger _logger;
    private bool _lowAlarmed;

    public DiskReserve(string dataFilePath, long reserveBytes, ILogger logger)
    {
        _reserveBytes = reserveBytes;
        _logger = logger;
        var directory = Path.GetDirectoryName(dataFilePath)!;
        Probe = () => new DriveInfo(directory).AvailableFreeSpace;
    }

    /// <summary>Returns free bytes on the data volume (replaceable in tests).</summary>
    public Func<long> Probe { get; set; }

    /// <summary>Free bytes at the last <see cref="Refresh"/> (<see cref="long.MaxValue"/> before the first).</summary>
    public long FreeBytes { get; private set; } = long.MaxValue;

    /// <summary>The configured reserve.</summary>
    public long ReserveBytes => _reserveBytes;

    /// <summary>Probes the volume again (at open and every maintenance pass) and alarms once when it falls below the reserve.</summary>
    public void Refresh()
    {
        try
        {
            FreeBytes = Probe();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException)
        {
            _logger.LogDebug(ex, "Free disk probe failed; keeping the last value");
        }

        var low = _reserveBytes > 0 && FreeBytes < _reserveBytes;
        if (low && !_lowAlarmed)
        {
            Log.DiskLow(_logger, FreeBytes, _reserveBytes);
        }

        _lowAlarmed = low;
    }

    /// <summary>True if a message of this class must be refused for lack of disk.</summary>
    public bool Refuses(int classIndex)
    {
        var free = FreeBytes;
        if (_reserveBytes <= 0 || free >= _reserveBytes)
        {
            return false;
        }

        return OutboxClassDefaults.All[classIndex] switch
        {
            PriorityClass.Telemetry or PriorityClass.Bulk => true,
            PriorityClass.Read or PriorityClass.Event => free < _reserveBytes / 2,
            _ => false,
        };
    }
}
