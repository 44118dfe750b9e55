using EdgeGateway.Contracts.V1;
using EdgeGateway.Outbox.Storage;
using Microsoft.Extensions.Logging;

namespace EdgeGateway.Outbox.Admission;

/// <summary>
/// Watches free space on the data volume and refuses the lowest classes first as it fills:
/// below <see cref="OutboxOptions.FreeDiskReserveBytes"/> Telemetry and Bulk, below half of it
/// Read and Event too. When the disk is actually full (a write failed for lack of space, or the
/// probe finds almost nothing left) it releases the <see cref="ReserveFile"/> and admits only
/// Emergency and Alert (urgent-only) until the reserve can be recreated with as much again free.
/// </summary>
/// <remarks>Not thread-safe: used with the outbox lock held.</remarks>
internal sealed class DiskReserve
{
    /// <summary>Free bytes below which the disk counts as full even before a write has failed (only with a reserve file configured).</summary>
    public const long NearlyFullBytes = 128 * 1024;

    private const long MinimumResumeBytes = 1024 * 1024;

    private readonly long _reserveBytes;
    private readonly ReserveFile _urgentReserve;
    private readonly ILogger _logger;
    private bool _lowAlarmed;
    private bool _reserveFailureLogged;

    public DiskReserve(string dataFilePath, long reserveBytes, long urgentReserveBytes, ILogger logger)
    {
        _reserveBytes = reserveBytes;
        _logger = logger;
        _urgentReserve = new ReserveFile(Path.ChangeExtension(dataFilePath, ".reserve"), urgentReserveBytes);
        var directory = Path.GetDirectoryName(dataFilePath)!;
        Probe = () => new DriveInfo(directory).AvailableFreeSpace;
    }

    /// <summary>Returns free bytes on the data volume (replaceable in tests).</summary>
    public Func<long> Probe { get; set; }

    /// <summary>Free bytes at the last <see cref="Refresh"/> (<see cref="long.MaxValue"/> before the first).</summary>
    public long FreeBytes { get; private set; } = long.MaxValue;

    /// <summary>The configured reserve.</summary>
    public long ReserveBytes => _reserveBytes;

    /// <summary>The pre-allocated file released for urgent messages when the disk is full.</summary>
    public ReserveFile UrgentReserve => _urgentReserve;

    /// <summary>True while the disk is full: only Emergency, Alert and the outbox's own messages are stored.</summary>
    public bool UrgentOnly { get; private set; }

    /// <summary>Free bytes needed to leave urgent-only: room for the reserve file and as much again.</summary>
    public long ResumeFreeBytes => Math.Max(MinimumResumeBytes, 2 * _urgentReserve.Bytes);

    /// <summary>
    /// Probes the volume again (at open and every maintenance pass) and alarms once when it falls
    /// below the reserve. Enters urgent-only when almost nothing is free; leaves it (recreating the
    /// reserve file) once <see cref="ResumeFreeBytes"/> are free; otherwise keeps the reserve file in place.
    /// </summary>
    public void Refresh()
    {
        Measure();
        var low = _reserveBytes > 0 && FreeBytes < _reserveBytes;
        if (low && !_lowAlarmed)
        {
            Log.DiskLow(_logger, FreeBytes, _reserveBytes);
        }

        _lowAlarmed = low;
        if (UrgentOnly)
        {
            if (FreeBytes >= ResumeFreeBytes && _urgentReserve.TryCreate() is null)
            {
                UrgentOnly = false;
                Measure();
                Log.DiskFullCleared(_logger, FreeBytes, _urgentReserve.Bytes);
            }

            return;
        }

        if (_urgentReserve.Bytes > 0 && FreeBytes < NearlyFullBytes)
        {
            EnterDiskFull(null);
            return;
        }

        if (!_urgentReserve.InPlace)
        {
            var failure = _urgentReserve.TryCreate();
            if (StorageErrors.IsDiskFull(failure))
            {
                EnterDiskFull(failure);
            }
            else if (failure is not null && !_reserveFailureLogged)
            {
                Log.ReserveFileFailed(_logger, failure, _urgentReserve.Path); // once: retried every pass
            }

            _reserveFailureLogged = failure is not null;

            Measure();
        }
    }

    /// <summary>
    /// The disk is full (<paramref name="cause"/>: the failed write, or null when the probe saw it):
    /// releases the reserve file and from now on admits only urgent classes. Alarms once per episode.
    /// </summary>
    public void EnterDiskFull(Exception? cause)
    {
        var released = _urgentReserve.Release();
        if (UrgentOnly)
        {
            return;
        }

        UrgentOnly = true;
        Measure();
        Log.DiskFull(_logger, cause, released, FreeBytes);
    }

    /// <summary>True if a message of this class must be refused for lack of disk.</summary>
    public bool Refuses(int classIndex)
    {
        var urgent = OutboxClassDefaults.All[classIndex] is PriorityClass.Emergency or PriorityClass.Alert;
        if (UrgentOnly)
        {
            return !urgent;
        }

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

    private void Measure()
    {
        try
        {
            FreeBytes = Probe();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException)
        {
            _logger.LogDebug(ex, "Free disk probe failed; keeping the last value");
        }
    }
}
