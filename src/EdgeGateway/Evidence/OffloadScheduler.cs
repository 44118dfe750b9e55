namespace EdgeGateway.Evidence;

/// <summary>
/// Picks the next recording to offload: critical recordings first (from any bay); otherwise the bay
/// with the fewest transfers running, ties broken round-robin, so one bay with a 2 GiB recording
/// never starves the others. Within a bay: critical, then oldest.
/// </summary>
internal sealed class OffloadScheduler
{
    private int _lastBay;

    public PendingRecording? Pick(IReadOnlyCollection<PendingRecording> candidates, IReadOnlyDictionary<int, int> runningPerBay)
    {
        if (candidates.Count == 0)
        {
            return null;
        }

        var pool = candidates.Any(c => c.Critical) ? candidates.Where(c => c.Critical).ToList() : candidates.ToList();
        var fewest = pool.Min(c => runningPerBay.GetValueOrDefault(c.Bay));
        var bays = pool.Where(c => runningPerBay.GetValueOrDefault(c.Bay) == fewest).Select(c => c.Bay).Distinct().Order().ToList();
        var bay = bays.FirstOrDefault(b => b > _lastBay, bays[0]);
        _lastBay = bay;
        return pool
            .Where(c => c.Bay == bay)
            .OrderByDescending(c => c.Critical)
            .ThenBy(c => c.Recording.RecordedAt)
            .ThenBy(c => c.Recording.FileName, StringComparer.Ordinal)
            .First();
    }
}
