using EdgeGateway.Contracts.V1;
using EdgeGateway.Devices.Bwv;

namespace EdgeGateway.Evidence;

/// <summary>
/// The dock's live view: bays (docked camera, battery) and per-recording transfers (state, bytes,
/// MB/s, ETA). <see cref="Version"/> moves on every change worth reporting (not on byte progress).
/// </summary>
internal sealed class DockStatusTracker(TimeProvider time)
{
    private readonly Lock _gate = new();
    private readonly SortedDictionary<int, CameraMarker?> _bays = [];
    private readonly Dictionary<string, TransferProgress> _transfers = new(StringComparer.Ordinal);
    private readonly Dictionary<int, IReadOnlyList<NotAcceptedFile>> _unaccepted = [];
    private long _version;

    public long Version => Interlocked.Read(ref _version);

    /// <summary>Records a bay's camera; returns the previous one.</summary>
    public CameraMarker? SetBay(int bay, CameraMarker? camera)
    {
        lock (_gate)
        {
            var known = _bays.TryGetValue(bay, out var previous);
            if (!known || previous != camera)
            {
                _bays[bay] = camera;
                Interlocked.Increment(ref _version);
                if (camera is null || previous is not null && previous.Serial != camera.Serial)
                {
                    foreach (var gone in _transfers.Values.Where(t => t.Bay == bay).Select(t => t.EvidenceId).ToList())
                    {
                        if (_transfers[gone].State is not ("copying" or "uploading"))
                        {
                            _transfers.Remove(gone);
                        }
                    }
                }
            }

            return previous;
        }
    }

    /// <summary>Records the files a bay's camera holds that the dock will not take; true when the set changed.</summary>
    public bool SetUnaccepted(int bay, IReadOnlyList<NotAcceptedFile> files)
    {
        lock (_gate)
        {
            var previous = _unaccepted.GetValueOrDefault(bay) ?? [];
            if (previous.SequenceEqual(files))
            {
                return false;
            }

            _unaccepted[bay] = files;
            Interlocked.Increment(ref _version);
            return files.Count > 0;
        }
    }

    public void SetState(int bay, string evidenceId, string recordingId, long total, bool critical, string state)
    {
        lock (_gate)
        {
            if (!_transfers.TryGetValue(evidenceId, out var t))
            {
                t = new TransferProgress(bay, evidenceId, recordingId, total, critical);
                _transfers[evidenceId] = t;
            }
            else if (t.State == state)
            {
                return;
            }

            t.State = state;
            t.PhaseStartBytes = -1;
            t.MegabytesPerSecond = 0;
            Interlocked.Increment(ref _version);
        }
    }

    public void Progress(string evidenceId, long bytesDone)
    {
        lock (_gate)
        {
            if (!_transfers.TryGetValue(evidenceId, out var t))
            {
                return;
            }

            var now = time.GetTimestamp();
            if (t.PhaseStartBytes < 0)
            {
                t.PhaseStartBytes = bytesDone;
                t.PhaseStartTimestamp = now;
            }

            t.BytesDone = bytesDone;
            var seconds = time.GetElapsedTime(t.PhaseStartTimestamp, now).TotalSeconds;
            if (seconds > 0.05)
            {
                t.MegabytesPerSecond = (bytesDone - t.PhaseStartBytes) / seconds / (1024 * 1024);
            }
        }
    }

    /// <summary>True while any transfer is copying or uploading (its bytes move without a version change).</summary>
    public bool HasActiveTransfers
    {
        get
        {
            lock (_gate)
            {
                foreach (var t in _transfers.Values)
                {
                    if (t.State is "copying" or "uploading")
                    {
                        return true;
                    }
                }

                return false;
            }
        }
    }

    public TransferProgress? Find(string evidenceId)
    {
        lock (_gate)
        {
            return _transfers.TryGetValue(evidenceId, out var t) ? t : null;
        }
    }

    public DockStatus Snapshot()
    {
        lock (_gate)
        {
            var status = new DockStatus();
            foreach (var (bay, camera) in _bays)
            {
                var b = new BayStatus
                {
                    Bay = (uint)bay,
                    Docked = camera is not null,
                    CameraSerial = camera?.Serial ?? string.Empty,
                    BatteryPercent = (uint)Math.Clamp(camera?.BatteryPercent ?? 0, 0, 100),
                };
                foreach (var t in _transfers.Values.Where(t => t.Bay == bay).OrderByDescending(t => t.Critical).ThenBy(t => t.RecordingId, StringComparer.Ordinal))
                {
                    b.Transfers.Add(new TransferStatus
                    {
                        RecordingId = t.RecordingId,
                        EvidenceId = t.EvidenceId,
                        State = t.State,
                        BytesDone = (ulong)t.BytesDone,
                        BytesTotal = (ulong)t.BytesTotal,
                        MegabytesPerSecond = Math.Round(t.MegabytesPerSecond, 2),
                        EtaSeconds = t.EtaSeconds,
                        Critical = t.Critical,
                    });
                }

                foreach (var file in _unaccepted.GetValueOrDefault(bay) ?? [])
                {
                    b.Unaccepted.Add(new Contracts.V1.UnacceptedFile { Name = file.Name, Reason = file.Reason, Size = (ulong)file.Size });
                }

                status.Bays.Add(b);
            }

            return status;
        }
    }
}
