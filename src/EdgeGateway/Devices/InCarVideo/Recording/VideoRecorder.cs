using System.Globalization;
using System.Threading.Channels;
using EdgeGateway.Contracts.Evidence;
using EdgeGateway.Contracts.V1;
using EdgeGateway.Core;
using EdgeGateway.Evidence;
using EdgeGateway.Hosting;
using Google.Protobuf.WellKnownTypes;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using EdgeGateway.Devices.InCarVideo.Recording.Bearers;

namespace EdgeGateway.Devices.InCarVideo.Recording;

/// <summary>
/// The vehicle's video recorder. Every camera records continuously into its ring (<see cref="CameraRecorder"/>),
/// which is the pre-event buffer: segments older than <see cref="VideoOptions.PreEvent"/> are dropped, and the
/// ring never exceeds <see cref="VideoOptions.RingQuotaBytes"/>. A trigger (<see cref="ITriggerListener"/>) opens an
/// <see cref="Incident"/> for every camera of the vehicle group, from the trigger minus the pre-event time; each
/// segment of the window is copied into the clip's staging folder as it closes and written to the clip's custody
/// log with its SHA-256. Further triggers extend the same incident; when the last one ended (or the ignition went
/// off) and the post-event time passed, the incident closes and <see cref="ClipFinisher"/> assembles, hashes and
/// uploads each clip. One loop owns all state: triggers and the periodic check arrive through one channel.
/// </summary>
internal sealed class VideoRecorder(
    ClipFinisher finisher,
    ClipBearerPolicy policy,
    IHostApplicationLifetime lifetime,
    StagingArea staging,
    IObservationSink sink,
    VideoCounters counters,
    IOptions<VideoOptions> options,
    IOptions<GatewayOptions> gateway,
    TimeProvider time,
    ILoggerFactory loggers) : BackgroundService, ITriggerListener
{
    /// <summary>The stream incident events (group activation) travel on.</summary>
    public const string Stream = "video";

    private readonly VideoOptions _options = options.Value;
    private readonly ILogger _logger = loggers.CreateLogger<VideoRecorder>();
    private readonly Channel<TriggerSignal?> _work = Channel.CreateUnbounded<TriggerSignal?>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Channel<(Incident, IncidentClip)> _clips = Channel.CreateUnbounded<(Incident, IncidentClip)>();
    private readonly List<CameraRecorder> _cameras = [];
    private IncidentStore _store = null!;
    private Incident? _open;
    private bool _overQuotaAlarm;
    private readonly HashSet<string> _faultedCameras = new(StringComparer.Ordinal);

    /// <summary>Clips the bearer policy holds (staged, sealed, waiting for the depot or LTE), by evidence id.</summary>
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, (Incident Incident, IncidentClip Clip)> _held = new(StringComparer.Ordinal);

    /// <summary>Clips queued for or in the finisher (not counting held ones): the power-down waits for them.</summary>
    private int _pending;
    /// <summary>The clip in the finisher now, so that leaving the depot can stop its upload.</summary>
    private RunningClip? _running;
    private DateTimeOffset? _ignitionOffAt;
    private bool _stopping;

    /// <summary>Clips staged and held by the bearer policy now.</summary>
    public int Held => _held.Count;

    /// <summary>The folder of the rings and incidents.</summary>
    public string Root => string.IsNullOrEmpty(_options.Directory) ? Path.Combine(gateway.Value.DataDirectory, "video") : _options.Directory;

    /// <inheritdoc />
    public ValueTask OnTriggerAsync(TriggerSignal signal, CancellationToken cancellationToken)
    {
        _work.Writer.TryWrite(signal);
        return ValueTask.CompletedTask;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Task.Yield();
        _store = new IncidentStore(Path.Combine(Root, "incidents"));
        var ring = Path.Combine(Root, "ring");
        Directory.CreateDirectory(ring);
        if (RingAtRest.MountOf(ring) is { } mount)
        {
            counters.RingProtectedAtRest(RingAtRest.Protected(mount.FileSystem, mount.Source));
            if (!RingAtRest.Protected(mount.FileSystem, mount.Source))
            {
                Log.RingPlaintextOnDisk(_logger, ring, mount.FileSystem, mount.Source, mount.MountPoint);
            }
        }
        foreach (var camera in _options.Cameras)
        {
            _cameras.Add(new CameraRecorder(camera, _options, Path.Combine(Root, "ring", camera.Name), time, counters, _logger));
        }

        Resume();
        void OnBearer()
        {
            StopDisallowedUpload();
            ReleaseHeld(policy.AtDepot ? "at the depot" : "the LTE bearer changed");
        }

        policy.Changed += OnBearer;
        var finishing = FinishLoopAsync(stoppingToken);
        var ticking = TickAsync(stoppingToken);
        try
        {
            await foreach (var signal in _work.Reader.ReadAllAsync(stoppingToken).ConfigureAwait(false))
            {
                if (signal is null)
                {
                    await CheckAsync(stoppingToken).ConfigureAwait(false);
                    if (_open is { } running && time.GetUtcNow() - running.WindowStart >= _options.MaxClipDuration)
                    {
                        await ContinueAsync(running, time.GetUtcNow(), stoppingToken).ConfigureAwait(false);
                    }

                    CheckPowerDown(time.GetUtcNow());
                }
                else
                {
                    await OnSignalAsync(signal, stoppingToken).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            policy.Changed -= OnBearer;
            foreach (var camera in _cameras)
            {
                camera.Dispose();
            }

            await Task.WhenAll(finishing, ticking).ConfigureAwait(false);
        }
    }

    private void Enqueue(Incident incident, IncidentClip clip)
    {
        Interlocked.Increment(ref _pending);
        _clips.Writer.TryWrite((incident, clip));
    }

    /// <summary>The depot or LTE changed: held clips the policy now allows go back to the finisher.</summary>
    private void ReleaseHeld(string reason)
    {
        var released = 0;
        foreach (var (id, (incident, clip)) in _held)
        {
            if (policy.MayUpload(incident.Critical).Allowed && _held.TryRemove(id, out _))
            {
                Enqueue(incident, clip);
                released++;
            }
        }

        counters.ClipsHeld(_held.Count);
        if (released > 0)
        {
            Log.HeldReleased(_logger, released, reason);
        }
    }

    /// <summary>The depot went away: a clip that is not critical stops uploading (it may not use LTE) and is held again.</summary>
    private void StopDisallowedUpload()
    {
        if (Volatile.Read(ref _running) is { Critical: false } running && !policy.MayUpload(false).Allowed)
        {
            try
            {
                running.Stop.Cancel();
            }
            catch (ObjectDisposedException)
            {
                // That clip just left the finisher.
            }
        }
    }

    private async Task TickAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(_options.CheckInterval, time);
        try
        {
            _work.Writer.TryWrite(null);
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                _work.Writer.TryWrite(null);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task FinishLoopAsync(CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var (incident, clip) in _clips.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                bool done;
                while (true)
                {
                    using var stop = new CancellationTokenSource();
                    Volatile.Write(ref _running, new RunningClip(incident.Critical, stop));
                    try
                    {
                        done = await finisher.FinishAsync(incident, clip, () => policy.MayUpload(incident.Critical), cancellationToken, stop.Token).ConfigureAwait(false);
                        break;
                    }
                    catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
                    {
                        Log.ClipRetry(_logger, clip.EvidenceId, e.Message, _options.UploadRetryDelay);
                        await Task.Delay(_options.UploadRetryDelay, time, cancellationToken).ConfigureAwait(false);
                    }
                    finally
                    {
                        Volatile.Write(ref _running, null);
                    }
                }

                if (!done)
                {
                    _held[clip.EvidenceId] = (incident, clip);
                    if (policy.MayUpload(incident.Critical).Allowed)
                    {
                        ReleaseHeld("the bearer changed while the clip was being staged"); // no change is lost between the decision and the hold
                    }
                }
                else if (incident.Clips.All(c => ClipFinisher.IsDone(staging.OpenCustody(c.EvidenceId))))
                {
                    _store.Delete(incident); // the custody logs are the record from here on
                }

                counters.ClipsHeld(_held.Count);
                Interlocked.Decrement(ref _pending);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>After a restart (or SIGKILL): closed incidents go on to upload, an open one goes on recording.</summary>
    private void Resume()
    {
        var now = time.GetUtcNow();
        foreach (var incident in _store.LoadAll())
        {
            Log.IncidentResumed(_logger, incident.Id, incident.Clips.Count, incident.Closed);
            if (incident.Closed)
            {
                foreach (var clip in incident.Clips)
                {
                    Enqueue(incident, clip);
                }

                continue;
            }

            // Which triggers are still on is not known after a restart: the post-event time runs from now,
            // and a trigger that is still on (inputs are reported at start-up) extends it again.
            incident.Active.Clear();
            if (incident.EndsAt is null || incident.EndsAt < now + _options.PostEvent)
            {
                incident.EndsAt = now + _options.PostEvent;
            }

            foreach (var clip in incident.Clips)
            {
                var custody = EnsureCaptured(incident, clip);
                custody.Append(now, "resumed", gateway.Value.DeviceId, "in-car-video",
                    Invariant($"gateway restarted while recording; the segment being written then may be cut short; ends at {CustodyLink.FormatTime(incident.EndsAt.Value)}"));
            }

            _store.Save(incident);
            _open = _open is null ? incident : _open;
        }
    }

    private async Task OnSignalAsync(TriggerSignal signal, CancellationToken cancellationToken)
    {
        var at = signal.At;
        if (signal.Source == TriggerSources.Ignition)
        {
            OnIgnition(signal);
        }

        if (_options.IgnoredSources.Contains(signal.Source, StringComparer.Ordinal))
        {
            if (signal.Source == TriggerSources.Ignition && signal.State == TriggerState.Off && _open is { } running)
            {
                // Ignition off: whatever is still on, the incident ends after the post-event time.
                running.Active.Clear();
                running.EndsAt = at + _options.PostEvent;
                Record(running, signal);
            }

            return;
        }

        if (_open is null)
        {
            if (signal.State == TriggerState.Off)
            {
                return;
            }

            await OpenAsync(signal.Source, signal.State, signal.At, signal.At - _options.PreEvent, cancellationToken).ConfigureAwait(false);
        }

        var incident = _open!;
        switch (signal.State)
        {
            case TriggerState.On:
                if (!incident.Active.Contains(signal.Source))
                {
                    incident.Active.Add(signal.Source);
                }

                incident.EndsAt = null;
                break;
            case TriggerState.Off:
                incident.Active.Remove(signal.Source);
                if (incident.Active.Count == 0)
                {
                    incident.EndsAt = Later(incident.EndsAt, at + _options.PostEvent);
                }

                break;
            default:
                if (incident.Active.Count == 0)
                {
                    incident.EndsAt = Later(incident.EndsAt, at + _options.PostEvent);
                }

                break;
        }

        incident.Critical |= _options.CriticalSources.Contains(signal.Source, StringComparer.Ordinal);
        Record(incident, signal);
        await CheckAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task<Incident> OpenAsync(string source, TriggerState state, DateTimeOffset at, DateTimeOffset windowStart, CancellationToken cancellationToken)
    {
        var device = gateway.Value.DeviceId;
        var id = Invariant($"inc-{device}-{at.UtcDateTime:yyyyMMdd'T'HHmmssfff}");
        var incident = new Incident
        {
            Id = id,
            FirstTrigger = at,
            WindowStart = windowStart,
            Clips = _cameras.Select(c => new IncidentClip(c.Name, IncidentStore.ClipEvidenceId(device, id, c.Name),
                _options.Cameras.First(o => o.Name == c.Name).Url)).ToList(),
        };
        _store.Save(incident);
        _open = incident;
        counters.IncidentOpened();
        foreach (var clip in incident.Clips)
        {
            EnsureCaptured(incident, clip);
        }

        Log.IncidentOpened(_logger, id, source, state, incident.Clips.Count, incident.WindowStart);

        // The pre-event footage already in the rings.
        foreach (var camera in _cameras)
        {
            foreach (var segment in camera.Closed.ToList())
            {
                AddSegment(incident, segment);
            }
        }

        // Group recording: every camera of the vehicle records (they all feed a clip), and the paired body-worn
        // cameras get the activation broadcast (as Axon Signal / WatchGuard-style systems send it).
        var evt = new DeviceEvent
        {
            Type = "video.incident_started",
            Detail = Invariant($"incident {id}: {source} {state.ToString().ToLowerInvariant()}; recording {incident.Clips.Count} camera(s), activating {_options.PairedBodyWornCameras.Length} body-worn camera(s)"),
        };
        evt.Attributes["incident_id"] = id;
        evt.Attributes["source"] = source;
        evt.Attributes["cameras"] = string.Join(',', incident.Clips.Select(c => c.Camera));
        evt.Attributes["evidence_ids"] = string.Join(',', incident.Clips.Select(c => c.EvidenceId));
        evt.Attributes["bwv_activated"] = string.Join(',', _options.PairedBodyWornCameras);
        evt.Attributes["window_start"] = CustodyLink.FormatTime(incident.WindowStart);
        await sink.AcceptAsync(new Envelope
        {
            Stream = Stream,
            Priority = PriorityClass.Event,
            CapturedAt = Timestamp.FromDateTimeOffset(at),
            TimeSource = TimeSource.Local,
            Event = evt,
        }, cancellationToken).ConfigureAwait(false);
        return incident;
    }

    /// <summary>The longest clip was reached with triggers still running: close it and go on in a new incident.</summary>
    private async Task ContinueAsync(Incident full, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var active = full.Active.ToList();
        var endsAt = full.EndsAt;
        full.Active.Clear();
        full.EndsAt = now;
        Close(full, "longest clip reached; continued in a new incident");
        if (active.Count == 0 && (endsAt is null || endsAt <= now))
        {
            return;
        }

        var next = await OpenAsync("continued", TriggerState.On, now, now, cancellationToken).ConfigureAwait(false);
        next.Active.AddRange(active);
        next.EndsAt = active.Count > 0 ? null : endsAt;
        next.Critical = full.Critical;
        Record(next, new TriggerSignal("continued", TriggerState.On, now, $"from {full.Id}; still on: {(active.Count > 0 ? string.Join(',', active) : "post-event time")}"));
    }

    private CustodyLog EnsureCaptured(Incident incident, IncidentClip clip)
    {
        var custody = staging.OpenCustody(clip.EvidenceId);
        if (custody.Entries.Count == 0)
        {
            custody.Append(incident.FirstTrigger, "captured", gateway.Value.DeviceId, "in-car-video", Invariant(
                $"incident={incident.Id} camera={clip.Camera} url={clip.Url} windowStart={CustodyLink.FormatTime(incident.WindowStart)} preEvent={_options.PreEvent} postEvent={_options.PostEvent} group={string.Join(',', incident.Clips.Select(c => c.Camera))}"));
        }

        return custody;
    }

    private void Record(Incident incident, TriggerSignal signal)
    {
        var state = signal.State.ToString().ToLowerInvariant();
        incident.Triggers.Add(Invariant($"{signal.Source} {state} {CustodyLink.FormatTime(signal.At)}"));
        _store.Save(incident);
        foreach (var clip in incident.Clips)
        {
            EnsureCaptured(incident, clip).Append(signal.At, "trigger", gateway.Value.DeviceId, "in-car-video", Invariant(
                $"source={signal.Source} state={state} incident={incident.Id} detail={signal.Detail.Replace(' ', '_')}"));
        }
    }

    /// <summary>The periodic work: supervise ffmpeg, take closed segments, close a finished incident, keep the ring bounded.</summary>
    private async Task CheckAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var closedPerCamera = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
        foreach (var camera in _cameras)
        {
            camera.Supervise();
            if (camera.Faulted ? _faultedCameras.Add(camera.Name) : _faultedCameras.Remove(camera.Name))
            {
                await CameraEventAsync(camera, now, cancellationToken).ConfigureAwait(false);
            }

            foreach (var segment in camera.CollectClosed())
            {
                counters.SegmentClosed();
                if (_open is { } incident)
                {
                    AddSegment(incident, segment);
                }
            }

            if (camera.Closed.LastOrDefault() is { } last)
            {
                closedPerCamera[camera.Name] = last.End;
            }
        }

        if (_open is { EndsAt: { } endsAt } open && now >= endsAt)
        {
            // Every camera's footage up to the end is in (or a camera is not delivering and waiting longer is no use).
            var covered = _cameras.All(c => closedPerCamera.TryGetValue(c.Name, out var end) && end >= endsAt);
            if (covered || now >= endsAt + (2 * _options.SegmentDuration) + _options.StallTimeout)
            {
                Close(open, covered ? "post-event time over" : "post-event time over; a camera did not deliver up to the end");
            }
        }

        // The pre-event buffer: what an incident would still need (segments an open incident needs were copied as they closed).
        var keepFrom = now - _options.PreEvent - _options.SegmentDuration;
        var expired = 0L;
        foreach (var camera in _cameras)
        {
            expired += camera.DropBefore(keepFrom) > 0 ? 1 : 0;
        }

        if (expired > 0)
        {
            counters.Expired((int)expired);
        }

        var total = _cameras.Sum(c => c.Bytes);
        var overQuota = false;
        while (total > _options.RingQuotaBytes)
        {
            var oldest = _cameras.Where(c => c.OldestStart is not null).MinBy(c => c.OldestStart);
            if (oldest is null)
            {
                break;
            }

            var segment = oldest.Closed.First();
            var freed = oldest.DropOldest();
            if (freed == 0)
            {
                break;
            }

            total -= freed;
            counters.OverQuota();
            overQuota = true;
            if (!_overQuotaAlarm)
            {
                Log.RingOverQuota(_logger, _options.RingQuotaBytes, segment.Name, oldest.Name);
            }
        }

        _overQuotaAlarm = overQuota;
        counters.RingBytes(total);
    }

    /// <summary>A camera stopped delivering (Alert, once per fault) or delivers again (Event), on stream <see cref="Stream"/>.</summary>
    private async Task CameraEventAsync(CameraRecorder camera, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var evt = new DeviceEvent
        {
            Type = camera.Faulted ? "video.camera_fault" : "video.camera_recovered",
            Detail = camera.Faulted ? Invariant($"camera {camera.Name} is not delivering: {camera.LastFault}; reconnecting") : Invariant($"camera {camera.Name} delivers again"),
        };
        evt.Attributes["camera"] = camera.Name;
        await sink.AcceptAsync(new Envelope
        {
            Stream = Stream,
            Priority = camera.Faulted ? PriorityClass.Alert : PriorityClass.Event,
            CapturedAt = Timestamp.FromDateTimeOffset(now),
            TimeSource = TimeSource.Local,
            Event = evt,
        }, cancellationToken).ConfigureAwait(false);
    }

    private void AddSegment(Incident incident, RingSegment segment)
    {
        if (incident.Closed || segment.End <= incident.WindowStart || incident.EndsAt is { } end && segment.Start > end)
        {
            return;
        }

        var clip = incident.Clips.FirstOrDefault(c => c.Camera == segment.Camera);
        if (clip is null)
        {
            return;
        }

        var custody = EnsureCaptured(incident, clip);
        if (custody.Entries.Any(e => e.Event == "segment" && RecordingOffloader.Field(e.Details, "file") == segment.Name))
        {
            return;
        }

        var folder = finisher.SegmentDirectory(clip.EvidenceId);
        Directory.CreateDirectory(folder);
        var target = Path.Combine(folder, segment.Name);
        var temp = target + ".tmp";
        using (var source = new FileStream(segment.Path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete))
        using (var copy = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            source.CopyTo(copy);
            copy.Flush(true);
        }

        File.Move(temp, target, overwrite: true);
        var sha = CameraRecorder.Hash(target);
        custody.Append(time.GetUtcNow(), "segment", gateway.Value.DeviceId, "in-car-video", Invariant(
            $"file={segment.Name} start={CustodyLink.FormatTime(segment.Start)} end={CustodyLink.FormatTime(segment.End)} sha256={sha} bytes={segment.Bytes} ringSha256={segment.Sha256}"));
    }

    private void Close(Incident incident, string reason)
    {
        var now = time.GetUtcNow();
        foreach (var clip in incident.Clips)
        {
            var custody = EnsureCaptured(incident, clip);
            var segments = custody.Entries.Count(e => e.Event == "segment");
            custody.Append(now, "finalised", gateway.Value.DeviceId, "in-car-video", Invariant(
                $"incident={incident.Id} camera={clip.Camera} segments={segments} windowEnd={CustodyLink.FormatTime(incident.EndsAt ?? now)} reason={reason.Replace(' ', '_')}"));
        }

        incident.Closed = true;
        _store.Save(incident);
        _open = null;
        Log.IncidentClosed(_logger, incident.Id, reason, incident.EndsAt ?? now);
        foreach (var clip in incident.Clips)
        {
            Enqueue(incident, clip);
        }
    }

    /// <summary>Ignition off arms the power-down (<see cref="VideoOptions.PowerDown"/>); ignition on calls it off.</summary>
    private void OnIgnition(TriggerSignal signal)
    {
        if (!_options.PowerDown.Enabled || _stopping)
        {
            return;
        }

        if (signal.State == TriggerState.Off && _ignitionOffAt is null)
        {
            _ignitionOffAt = signal.At;
            Log.PowerDownArmed(_logger, signal.At + _options.PowerDown.Delay, _options.PowerDown.Delay);
        }
        else if (signal.State == TriggerState.On && _ignitionOffAt is not null)
        {
            _ignitionOffAt = null;
            Log.PowerDownCancelled(_logger);
        }
    }

    /// <summary>
    /// After ignition-off: stop the gateway once nothing is recording and every clip that may upload now is in the vault
    /// (held clips wait for the depot and do not keep the vehicle awake), or when the battery-protection delay is over,
    /// finalising an incident still recording then. Everything is durable before the stop: the incident json, the custody
    /// logs and the staged clips, so the next start resumes finalisation and uploads.
    /// </summary>
    private void CheckPowerDown(DateTimeOffset now)
    {
        if (_ignitionOffAt is not { } off || _stopping)
        {
            return;
        }

        string why;
        if (now - off >= _options.PowerDown.Delay)
        {
            if (_open is { } open)
            {
                open.Active.Clear();
                open.EndsAt = open.EndsAt is { } end && end < now ? end : now;
                Close(open, "battery-protection delay reached after ignition-off");
            }

            why = "the battery-protection delay is over";
        }
        else if (_open is null && Volatile.Read(ref _pending) == 0 && policy.Settled)
        {
            why = "recording finalised and every clip that may upload now is in the vault";
        }
        else
        {
            return;
        }

        _stopping = true;
        Log.PowerDownStopping(_logger, now - off, why, _held.Count, Volatile.Read(ref _pending));
        lifetime.StopApplication();
    }

    private sealed record RunningClip(bool Critical, CancellationTokenSource Stop);

    private static DateTimeOffset Later(DateTimeOffset? a, DateTimeOffset b) => a is { } x && x > b ? x : b;

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
