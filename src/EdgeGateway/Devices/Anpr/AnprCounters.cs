using System.Collections.Concurrent;

namespace EdgeGateway.Devices.Anpr;

/// <summary>What the ANPR adapter counts; reported in the health message as <c>anpr.*</c>.</summary>
internal sealed class AnprCounters
{
    private long _reads;
    private long _hits;
    private long _suppressed;
    private long _refused;
    private long _cameraFaults;

    /// <summary>Refused posts by reason (the reason is the 4xx body's <c>error</c>).</summary>
    public ConcurrentDictionary<string, long> Rejected { get; } = new(StringComparer.Ordinal);

    public long Reads => Interlocked.Read(ref _reads);

    public long Hits => Interlocked.Read(ref _hits);

    public long Suppressed => Interlocked.Read(ref _suppressed);

    /// <summary>Reads the outbox refused (it counts and reports why).</summary>
    public long Refused => Interlocked.Read(ref _refused);

    public long CameraFaults => Interlocked.Read(ref _cameraFaults);

    public void CountRejected(string reason) => Rejected.AddOrUpdate(reason, 1, static (_, n) => n + 1);

    public void CountRead() => Interlocked.Increment(ref _reads);

    public void CountHit() => Interlocked.Increment(ref _hits);

    public void CountSuppressed() => Interlocked.Increment(ref _suppressed);

    public void CountRefused() => Interlocked.Increment(ref _refused);

    public void CountCameraFault() => Interlocked.Increment(ref _cameraFaults);
}
