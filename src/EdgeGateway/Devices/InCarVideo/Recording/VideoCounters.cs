using System.Collections.Concurrent;
using EdgeGateway.Contracts.V1;
using EdgeGateway.Core;

namespace EdgeGateway.Devices.InCarVideo.Recording;

/// <summary>Recording figures for the periodic health report (<c>video.*</c>).</summary>
internal sealed class VideoCounters : IHealthContributor
{
    private readonly ConcurrentDictionary<string, long> _faults = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, bool> _faulted = new(StringComparer.Ordinal);
    private long _segments;
    private long _expired;
    private long _overQuota;
    private long _incidents;
    private long _clipsAssembled;
    private long _clipsVerified;
    private long _ringBytes;
    private long _held;
    private long _atDepot;
    private long _ringProtected;
    private long _uploadsStopped;

    public long Segments => Interlocked.Read(ref _segments);

    public long DroppedOverQuota => Interlocked.Read(ref _overQuota);

    public long Incidents => Interlocked.Read(ref _incidents);

    public long ClipsVerified => Interlocked.Read(ref _clipsVerified);

    public long FaultsOf(string camera) => _faults.TryGetValue(camera, out var n) ? n : 0;

    public void SegmentClosed() => Interlocked.Increment(ref _segments);

    public void Expired(int n) => Interlocked.Add(ref _expired, n);

    public void OverQuota() => Interlocked.Increment(ref _overQuota);

    public void IncidentOpened() => Interlocked.Increment(ref _incidents);

    public void ClipAssembled() => Interlocked.Increment(ref _clipsAssembled);

    public void ClipVerified() => Interlocked.Increment(ref _clipsVerified);

    /// <summary>Clips staged and held by the bearer policy (waiting for the depot, or for LTE).</summary>
    public long Held => Interlocked.Read(ref _held);

    /// <summary>Uploads of clips that are not critical stopped because the vehicle left the depot (they resume at the next).</summary>
    public long UploadsStopped => Interlocked.Read(ref _uploadsStopped);

    public void UploadStopped() => Interlocked.Increment(ref _uploadsStopped);

    public void ClipsHeld(int n) => Interlocked.Exchange(ref _held, n);

    public void AtDepot(bool at) => Interlocked.Exchange(ref _atDepot, at ? 1 : 0);

    public void RingProtectedAtRest(bool yes) => Interlocked.Exchange(ref _ringProtected, yes ? 1 : 0);

    public void RingBytes(long bytes) => Interlocked.Exchange(ref _ringBytes, bytes);

    public void CameraFault(string camera)
    {
        _faults.AddOrUpdate(camera, 1, static (_, n) => n + 1);
        _faulted[camera] = true;
    }

    public void CameraRecovered(string camera) => _faulted[camera] = false;

    public void Contribute(HealthReport report)
    {
        var c = report.Counters;
        c["video.segments"] = (ulong)Segments;
        c["video.segments_expired"] = (ulong)Interlocked.Read(ref _expired);
        c["video.segments_dropped_over_quota"] = (ulong)DroppedOverQuota;
        c["video.ring_bytes"] = (ulong)Interlocked.Read(ref _ringBytes);
        c["video.incidents"] = (ulong)Incidents;
        c["video.clips_assembled"] = (ulong)Interlocked.Read(ref _clipsAssembled);
        c["video.clips_verified"] = (ulong)ClipsVerified;
        c["video.clips_held_for_bearer"] = (ulong)Held;
        c["video.uploads_stopped_off_depot"] = (ulong)UploadsStopped;
        c["video.at_depot"] = (ulong)Interlocked.Read(ref _atDepot);
        c["video.ring_protected_at_rest"] = (ulong)Interlocked.Read(ref _ringProtected);
        foreach (var (camera, n) in _faults)
        {
            c[$"video.camera_faults.{camera}"] = (ulong)n;
            c[$"video.camera_faulted.{camera}"] = _faulted.TryGetValue(camera, out var f) && f ? 1UL : 0UL;
        }
    }
}
