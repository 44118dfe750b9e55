using System.Collections.Concurrent;
using System.Globalization;
using EdgeGateway.Devices.Bwv;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EdgeGateway.Evidence;

/// <summary>
/// The dock's offload loop: scans the bays, notices docking and undocking, and runs up to
/// <see cref="EvidenceOptions.MaxConcurrentTransfers"/> offloads at once, picked fairly by
/// <see cref="OffloadScheduler"/>.
/// </summary>
internal sealed class OffloadService(
    BayScanner scanner,
    RecordingOffloader offloader,
    StagingArea staging,
    DockStatusTracker tracker,
    EvidenceCounters counters,
    EvidenceAlarms alarms,
    IOptions<EvidenceOptions> options,
    IOptions<DockOptions> dock,
    TimeProvider time,
    ILogger<OffloadService> logger) : BackgroundService
{
    private readonly OffloadScheduler _scheduler = new();
    private readonly Dictionary<string, (Task Task, int Bay)> _running = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, bool> _finished = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, bool> _unsynced = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, DateTimeOffset> _notBefore = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _wake = new(0);

    // The scanner hands back the same DockedRecording objects while a bay is unchanged, so each id is
    // computed once per listing, not once per check.
    private readonly System.Runtime.CompilerServices.ConditionalWeakTable<DockedRecording, string> _ids = [];
    private DateTimeOffset _nextSync;
    private TaskCompletionSource<BayRescan>? _rescan;

    /// <summary>
    /// Re-reads every bay from scratch (no cached listing, sidecar or fingerprint) and retries at once the
    /// recordings waiting out a failure backoff; completes after that scan with what it found.
    /// </summary>
    public async Task<BayRescan> RescanAsync(CancellationToken cancellationToken)
    {
        var request = new TaskCompletionSource<BayRescan>(TaskCreationOptions.RunContinuationsAsynchronously);
        var pending = Interlocked.CompareExchange(ref _rescan, request, null) ?? request; // join one already asked for
        _wake.Release();
        return await pending.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        foreach (var id in staging.ItemIds())
        {
            var custody = staging.OpenCustody(id);
            if (custody.Contains("wiped") || custody.Contains("kept"))
            {
                _finished[id] = true;
                if (!staging.IsCustodySynced(id, custody.Entries.Count))
                {
                    _unsynced[id] = true;
                }
            }
        }

        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                Tick(stoppingToken);
                try
                {
                    await _wake.WaitAsync(dock.Value.ScanInterval, stoppingToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
        }
        finally
        {
            await Task.WhenAll(_running.Values.Select(r => r.Task)).ConfigureAwait(false);
        }
    }

    private void Tick(CancellationToken stoppingToken)
    {
        foreach (var done in _running.Where(r => r.Value.Task.IsCompleted).Select(r => r.Key).ToList())
        {
            _running.Remove(done);
        }

        var now = time.GetUtcNow();
        var rescan = Interlocked.Exchange(ref _rescan, null);
        var retried = 0;
        if (rescan is not null)
        {
            scanner.Invalidate();
            retried = _notBefore.Count;
            _notBefore.Clear();
        }

        var candidates = new List<PendingRecording>();
        var unaccepted = 0;
        var docked = 0;
        var recordings = 0;
        foreach (var bay in scanner.Scan())
        {
            docked += bay.Docked ? 1 : 0;
            recordings += bay.Recordings.Count;
            unaccepted += bay.Unaccepted.Count;
            // Recordings still being written are listed with the files not taken (size 0, so a growing file does
            // not change the report every check), but raise no alarm: they are taken once they settle.
            var report = bay.Settling.Count == 0
                ? bay.Unaccepted
                : [.. bay.Unaccepted, .. bay.Settling.Select(name => new NotAcceptedFile(name, NotAcceptedFile.StillBeingWritten, 0))];
            if (tracker.SetUnaccepted(bay.Bay, report) && bay.Camera is { } cam)
            {
                foreach (var file in bay.Unaccepted)
                {
                    alarms.Raise(EvidenceAlarms.FileNotAccepted, Invariant($"{cam.Serial}/{file.Name}/{file.Size}"),
                        Invariant($"{file.Name} on camera {cam.Serial} (bay {bay.Bay}) is not offloaded: {file.Reason}"),
                        new Dictionary<string, string>
                        {
                            ["camera_serial"] = cam.Serial, ["file"] = file.Name, ["reason"] = file.Reason,
                            ["bay"] = bay.Bay.ToString(CultureInfo.InvariantCulture), ["size"] = file.Size.ToString(CultureInfo.InvariantCulture),
                        });
                }
            }

            var previous = tracker.SetBay(bay.Bay, bay.Camera);
            if (previous?.Serial != bay.Camera?.Serial)
            {
                if (previous is not null)
                {
                    Log.CameraUndocked(logger, bay.Bay, previous.Serial);
                }

                if (bay.Camera is not null)
                {
                    Log.CameraDocked(logger, bay.Bay, bay.Camera.Serial, bay.Camera.BatteryPercent);
                }
            }

            foreach (var rec in bay.Recordings)
            {
                var id = _ids.GetValue(rec, EvidenceIds.For);

                // A finished item (matching receipt, then wiped or kept) is never matched again; a new
                // recording under a reused name has a new id (see EvidenceIds).
                if (_finished.ContainsKey(id) || _running.ContainsKey(id) || _notBefore.TryGetValue(id, out var after) && after > now)
                {
                    continue;
                }

                candidates.Add(new PendingRecording(rec, id, IsCritical(rec.Sidecar)));
            }
        }

        counters.UnacceptedFiles = unaccepted;
        counters.BaysChecked();
        rescan?.TrySetResult(new BayRescan(docked, recordings, candidates.Count, unaccepted, retried));

        while (_running.Count < options.Value.MaxConcurrentTransfers)
        {
            var perBay = _running.Values.GroupBy(r => r.Bay).ToDictionary(g => g.Key, g => g.Count());
            var pick = _scheduler.Pick(candidates, perBay);
            if (pick is null)
            {
                break;
            }

            candidates.Remove(pick);
            _running[pick.EvidenceId] = (RunAsync(pick, stoppingToken), pick.Bay);
        }

        if (_unsynced.Count > 0 && now >= _nextSync)
        {
            _nextSync = now + options.Value.FailedItemBackoff;
            var ids = _unsynced.Keys.ToList();
            foreach (var id in ids)
            {
                _unsynced.TryRemove(id, out _);
            }

            _ = SyncAsync(ids, stoppingToken);
        }
    }

    private async Task RunAsync(PendingRecording item, CancellationToken stoppingToken)
    {
        await Task.Yield();
        try
        {
            if (await offloader.OffloadAsync(item, stoppingToken).ConfigureAwait(false))
            {
                _finished[item.EvidenceId] = true;
                await SyncAsync([item.EvidenceId], stoppingToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        catch (StagingFullException)
        {
            Defer(item, dock.Value.ScanInterval);
            tracker.SetState(item.Bay, item.EvidenceId, item.Recording.FileName, item.Recording.Size, item.Critical, "queued");
        }
        catch (Exception e)
        {
            counters.Failed();
            Log.OffloadFailed(logger, e, item.EvidenceId, options.Value.FailedItemBackoff);
            Defer(item, options.Value.FailedItemBackoff);
            tracker.SetState(item.Bay, item.EvidenceId, item.Recording.FileName, item.Recording.Size, item.Critical, "failed");
        }
        finally
        {
            _wake.Release();
        }
    }

    private void Defer(PendingRecording item, TimeSpan delay)
    {
        _notBefore[item.EvidenceId] = time.GetUtcNow() + delay;
    }

    private async Task SyncAsync(List<string> ids, CancellationToken stoppingToken)
    {
        foreach (var id in ids)
        {
            try
            {
                await offloader.SyncCustodyAsync(id, stoppingToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                Log.CustodySyncFailed(logger, e, id);
                _unsynced[id] = true;
            }
        }
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    private bool IsCritical(RecordingSidecar? sidecar) =>
        sidecar is not null && (sidecar.Category is { } category && options.Value.CriticalCategories.Contains(category, StringComparer.OrdinalIgnoreCase)
        || options.Value.CriticalTriggers.Contains(sidecar.Trigger, StringComparer.OrdinalIgnoreCase));
}
