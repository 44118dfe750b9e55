namespace EdgeGateway.Devices.Anpr;

/// <summary>
/// Remembers when each hotlist VRM last raised an alert, so a vehicle sitting behind a wanted car does not
/// alert the officer on every read. Entries older than the window are forgotten as the table grows.
/// </summary>
internal sealed class HitSuppressor(TimeSpan window)
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, long> _lastAlert = new(StringComparer.Ordinal);

    /// <summary>True (and remembered) when <paramref name="entryVrm"/> may alert at <paramref name="nowUnixMs"/>; false when suppressed.</summary>
    public bool TryAlert(string entryVrm, long nowUnixMs)
    {
        var windowMs = (long)window.TotalMilliseconds;
        lock (_lock)
        {
            if (_lastAlert.TryGetValue(entryVrm, out var last) && nowUnixMs - last < windowMs)
            {
                return false;
            }

            if (_lastAlert.Count >= 4096)
            {
                foreach (var stale in _lastAlert.Where(p => nowUnixMs - p.Value >= windowMs).Select(p => p.Key).ToList())
                {
                    _lastAlert.Remove(stale);
                }
            }

            _lastAlert[entryVrm] = nowUnixMs;
            return true;
        }
    }
}
