using System.Globalization;
using Microsoft.Extensions.Logging;

namespace EdgeGateway.Devices.Anpr;

/// <summary>
/// The captured images on the vehicle's disk, <c>{folder}/{yyyyMMdd}/{readId}-{kind}.jpg</c>, each flushed to
/// disk before the read is acknowledged to the camera. They serve the in-car terminal; the copies that travel
/// to FleetControl are in the outbox. Day folders older than the retention are deleted when a new day starts
/// (no timer).
/// </summary>
internal sealed class AnprImageStore(string folder, int retentionDays, ILogger logger)
{
    private const string DayFormat = "yyyyMMdd";
    private readonly Lock _lock = new();
    private string? _today;

    /// <summary>Writes one image durably.</summary>
    public async Task WriteAsync(string readId, string kind, byte[] bytes, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var day = now.UtcDateTime.ToString(DayFormat, CultureInfo.InvariantCulture);
        var directory = Path.Combine(folder, day);
        lock (_lock)
        {
            if (_today != day)
            {
                Directory.CreateDirectory(directory);
                _today = day;
                Purge(now);
            }
        }

        var path = Path.Combine(directory, $"{readId}-{kind}.jpg");
        await using var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.Read, 1, FileOptions.Asynchronous);
        await file.WriteAsync(bytes, cancellationToken).ConfigureAwait(false);
        file.Flush(flushToDisk: true);
    }

    /// <summary>The path of an image of a read, or null (unknown id or purged).</summary>
    public string? Find(string readId, string kind)
    {
        if (!Guid.TryParse(readId, out _) || kind is not ("plate" or "overview") || !Directory.Exists(folder))
        {
            return null;
        }

        foreach (var day in Directory.EnumerateDirectories(folder).OrderDescending())
        {
            var path = Path.Combine(day, $"{readId}-{kind}.jpg");
            if (File.Exists(path))
            {
                return path;
            }
        }

        return null;
    }

    private void Purge(DateTimeOffset now)
    {
        var oldest = now.UtcDateTime.Date.AddDays(-retentionDays);
        foreach (var directory in Directory.EnumerateDirectories(folder))
        {
            if (DateTime.TryParseExact(Path.GetFileName(directory), DayFormat, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var date)
                && date < oldest)
            {
                Directory.Delete(directory, recursive: true);
                Log.ImagesPurged(logger, directory, retentionDays);
            }
        }
    }
}
