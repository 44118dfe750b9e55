using EdgeGateway.Contracts.Evidence;
using System.Globalization;
using EdgeGateway.Contracts.V1;
using EdgeGateway.Devices.Bwv;
using EdgeGateway.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EdgeGateway.Evidence;

/// <summary>
/// Takes one recording through its offload, every step written to its custody log first:
/// captured, docked, (resumed), copied, hashed, [vault: received, verified, stored], uploaded,
/// verified, wiped/kept. The custody log is also the item's durable state: a restart, a re-dock or a
/// retry continues after the last step it holds. Nothing leaves the camera before a matching receipt.
/// </summary>
internal sealed class RecordingOffloader(
    StagingArea staging,
    RecordingCopier copier,
    EvidenceUploader uploader,
    DockStatusTracker tracker,
    EvidenceCounters counters,
    EvidenceAlarms alarms,
    Security.VaultCustodyVerifier vaultCustody,
    IOptions<EvidenceOptions> options,
    IOptions<GatewayOptions> gateway,
    TimeProvider time,
    ILogger<RecordingOffloader> logger)
{
    /// <summary>Offloads one recording; true when it is finished (wiped or kept), false when it must wait (undocked).</summary>
    public async Task<bool> OffloadAsync(PendingRecording item, CancellationToken cancellationToken)
    {
        var rec = item.Recording;
        var id = item.EvidenceId;
        var device = gateway.Value.DeviceId;
        tracker.SetState(rec.Bay, id, rec.FileName, rec.Size, item.Critical, "queued");
        var custody = staging.OpenCustody(id);
        if (custody.Entries.Count == 0)
        {
            if (rec.Sidecar is { } s)
            {
                custody.Append(s.EndUtc, "captured", rec.Camera.Serial, s.OfficerId, Invariant(
                    $"file={rec.FileName} size={rec.Size} start={CustodyLink.FormatTime(s.StartUtc)} end={CustodyLink.FormatTime(s.EndUtc)} trigger={s.Trigger} category={s.Category ?? "-"} gpsPoints={s.Gps?.Count ?? 0} fingerprint={rec.Fingerprint}"));
            }
            else
            {
                // No usable sidecar: what the camera's file system knows, and the gap said plainly.
                var status = rec.SidecarStatus == SidecarStatus.Invalid ? "invalid" : "missing";
                custody.Append(rec.ModifiedUtc, "captured", rec.Camera.Serial, "unknown", Invariant(
                    $"file={rec.FileName} size={rec.Size} modified={CustodyLink.FormatTime(rec.ModifiedUtc)} sidecar={status} fingerprint={rec.Fingerprint}"));
                custody.Append(time.GetUtcNow(), "sidecar-" + status, device, "dock", Invariant($"sidecar {status}: camera={rec.Camera.Serial} file={rec.FileName} reason={rec.SidecarProblem ?? status}"));
            }

            custody.Append(time.GetUtcNow(), "docked", device, "dock", Invariant($"bay={rec.Bay} camera={rec.Camera.Serial} battery={rec.Camera.BatteryPercent}%"));
        }

        if (rec.SidecarStatus != SidecarStatus.Ok)
        {
            var missing = rec.SidecarStatus == SidecarStatus.Missing;
            Log.SidecarProblem(logger, id, rec.FileName, rec.SidecarProblem ?? (missing ? "sidecar missing" : "sidecar invalid"));
            alarms.Raise(missing ? EvidenceAlarms.SidecarMissing : EvidenceAlarms.SidecarInvalid, id,
                Invariant($"{rec.FileName} on camera {rec.Camera.Serial} (bay {rec.Bay}) has {(missing ? "no sidecar" : "an invalid sidecar")}; offloaded with camera and file times only: {rec.SidecarProblem}"),
                new Dictionary<string, string>
                {
                    ["evidence_id"] = id, ["camera_serial"] = rec.Camera.Serial, ["file"] = rec.FileName,
                    ["bay"] = rec.Bay.ToString(CultureInfo.InvariantCulture),
                });
        }

        if (!custody.Contains("hashed"))
        {
            // Pipelined: the upload follows the staging copy instead of waiting for it.
            if (!await CopyAndUploadAsync(item, custody, cancellationToken).ConfigureAwait(false))
            {
                return false;
            }
        }
        else if (!custody.Contains("uploaded"))
        {
            await UploadAsync(item, custody, HashedSha(custody), null, null, cancellationToken).ConfigureAwait(false);
        }

        if (!custody.Contains("wiped") && !custody.Contains("kept"))
        {
            var changed = ChangedSinceIdentified(rec);
            if (options.Value.CameraPolicy == CameraRetentionPolicy.Delete && changed is not null)
            {
                // The file on the camera is no longer the one that was copied (still being written, or
                // rewritten): the receipt is for other bytes, so it must not delete it. It is another
                // recording now, with its own identity, and is offloaded as such.
                custody.Append(time.GetUtcNow(), "kept", device, "dock", Invariant($"camera={rec.Camera.Serial} file={rec.FileName} not wiped: {changed}"));
                counters.Kept();
            }
            else if (options.Value.CameraPolicy == CameraRetentionPolicy.Delete)
            {
                if (!File.Exists(rec.MarkerPath))
                {
                    return false; // camera left after the receipt: wipe when it is back
                }

                File.Delete(rec.VideoPath);
                if (rec.SidecarPath is not null && rec.SidecarJson is not null)
                {
                    // Only a sidecar whose text went to the vault; an unreadable one stays (and is reported).
                    File.Delete(rec.SidecarPath);
                }

                custody.Append(time.GetUtcNow(), "wiped", device, "dock", Invariant($"camera={rec.Camera.Serial} file={rec.FileName}"));
                counters.Wiped();
            }
            else
            {
                custody.Append(time.GetUtcNow(), "kept", device, "dock", Invariant($"camera={rec.Camera.Serial} file={rec.FileName} policy=Keep"));
                counters.Kept();
            }

            Log.CameraRetention(logger, id, options.Value.CameraPolicy.ToString(), rec.Camera.Serial, rec.FileName);
        }

        staging.FreeData(id);
        tracker.SetState(rec.Bay, id, rec.FileName, rec.Size, item.Critical, custody.Contains("wiped") ? "wiped" : "kept");
        return true;
    }

    /// <summary>Sends the entries added after the vault's "stored" (uploaded, verified, wiped) to the vault.</summary>
    public async Task SyncCustodyAsync(string evidenceId, CancellationToken cancellationToken)
    {
        var custody = staging.OpenCustody(evidenceId);
        if (staging.IsCustodySynced(evidenceId, custody.Entries.Count))
        {
            return;
        }

        var stored = custody.Entries.ToList().FindLastIndex(e => e.Event == "stored");
        if (stored < 0)
        {
            return;
        }

        await uploader.AppendCustodyAsync(evidenceId, custody.Entries.Skip(stored + 1), cancellationToken).ConfigureAwait(false);
        staging.MarkCustodySynced(evidenceId, custody.Entries.Count);
    }

    private async Task<bool> CopyAndUploadAsync(PendingRecording item, CustodyLog custody, CancellationToken cancellationToken)
    {
        if (!staging.TryReserve(item.EvidenceId, item.Recording.Size, out var used, out var free))
        {
            if (counters.SetStagingFull(true))
            {
                Log.StagingFull(logger, item.EvidenceId, item.Recording.Size, used, options.Value.StagingQuotaBytes, free);
            }

            throw new StagingFullException(Invariant($"staging full: {item.EvidenceId} needs {item.Recording.Size} bytes, {used} in use of {options.Value.StagingQuotaBytes}"));
        }

        var tail = new StagingTail();
        Task<bool> copy;
        try
        {
            copy = CopyAsync(item, custody, tail, cancellationToken);
        }
        catch
        {
            staging.Release(item.EvidenceId);
            throw;
        }

        var upload = UploadAsync(item, custody, null, tail, copy, cancellationToken);
        bool copied;
        try
        {
            copied = await copy.ConfigureAwait(false);
        }
        catch
        {
            tail.Abandon();
            await upload.ContinueWith(static _ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default).ConfigureAwait(false);
            throw;
        }

        try
        {
            await upload.ConfigureAwait(false);
        }
        catch (CopyAbandonedException) when (!copied)
        {
        }

        return copied;
    }

    private async Task<bool> CopyAsync(PendingRecording item, CustodyLog custody, StagingTail tail, CancellationToken cancellationToken)
    {
        await Task.Yield();
        var rec = item.Recording;
        var id = item.EvidenceId;
        var device = gateway.Value.DeviceId;
        try
        {
            if (counters.SetStagingFull(false))
            {
                Log.StagingResumed(logger);
            }

            var progress = staging.ReadProgress(id);
            if (progress is { Offset: > 0 })
            {
                custody.Append(time.GetUtcNow(), "resumed", device, "dock", Invariant($"bay={rec.Bay} offset={progress.Offset} staged prefix checked against the camera"));
            }

            tracker.SetState(rec.Bay, id, rec.FileName, rec.Size, item.Critical, "copying");
            Log.CopyStarted(logger, id, rec.FileName, rec.Size, item.Critical, rec.Bay, progress?.Offset ?? 0);
            CopyResult result;
            try
            {
                result = await copier.CopyAsync(rec, id, bytes => tracker.Progress(id, bytes), cancellationToken, tail).ConfigureAwait(false);
            }
            catch (CameraUndockedException)
            {
                tail.Abandon();
                var offset = staging.ReadProgress(id)?.Offset ?? 0;
                custody.Append(time.GetUtcNow(), "interrupted", device, "dock", Invariant($"bay={rec.Bay} offset={offset} reason=undocked"));
                counters.CopyInterrupted();
                tracker.SetState(rec.Bay, id, rec.FileName, rec.Size, item.Critical, "incomplete");
                Log.CopyInterrupted(logger, rec.Bay, id, offset);
                return false;
            }

            if (result.PrefixMismatchAt is { } at)
            {
                Log.StagedPrefixMismatch(logger, id, result.DiscardedBytes, at);
                custody.Append(time.GetUtcNow(), "restarted", device, "dock", Invariant(
                    $"staged={result.DiscardedBytes} differs from the camera's bytes in the chunk at {at}; staged copy discarded, copied from 0"));
            }

            counters.AddCopied(result.CopiedBytes);
            custody.Append(time.GetUtcNow(), "copied", device, "dock", Invariant(
                $"bytes={rec.Size} resumedFrom={result.ResumedFrom} copiedThisRun={result.CopiedBytes} staging={staging.DataPath(id)}"));
            custody.Append(time.GetUtcNow(), "hashed", device, "dock", Invariant($"sha256={result.Sha256} size={rec.Size}"));
            Log.CopyFinished(logger, id, rec.Size, result.Sha256, result.CopiedBytes);
            tail.Complete();
            return true;
        }
        catch
        {
            tail.Abandon();
            throw;
        }
        finally
        {
            staging.Release(id);
        }
    }

    /// <summary>Uploads (following <paramref name="tail"/> when the copy is still running) and checks the receipt.</summary>
    private async Task UploadAsync(PendingRecording item, CustodyLog custody, string? knownSha, StagingTail? tail, Task<bool>? copy, CancellationToken cancellationToken)
    {
        await Task.Yield();
        var rec = item.Recording;
        var id = item.EvidenceId;
        var device = gateway.Value.DeviceId;
        var evidence = new EvidenceItem
        {
            EvidenceId = id,
            DeviceId = device,
            CameraSerial = rec.Camera.Serial,
            FileName = rec.FileName,
            Size = (ulong)rec.Size,
            Sha256 = knownSha ?? string.Empty,
            Critical = item.Critical,
            SidecarJson = rec.SidecarJson ?? string.Empty,
            SidecarStatus = rec.SidecarStatus.ToString().ToLowerInvariant(),
            RecordedAt = CustodyLink.FormatTime(rec.RecordedAt),
        };
        async Task<(string, IReadOnlyList<CustodyLink>)> FinishAsync()
        {
            if (copy is not null && !await copy.ConfigureAwait(false))
            {
                throw new CopyAbandonedException($"the staging copy of {id} stopped");
            }

            return (HashedSha(custody), custody.Entries.ToList());
        }

        var uploadingShown = false;
        var outcome = await uploader.UploadAsync(evidence, () => staging.OpenReader(id), FinishAsync, tail,
            bytes =>
            {
                // While the copy runs, its progress is what the dock shows; then the upload's.
                if (copy is { IsCompleted: false })
                {
                    return;
                }

                if (!uploadingShown)
                {
                    uploadingShown = true;
                    tracker.SetState(rec.Bay, id, rec.FileName, rec.Size, item.Critical, "uploading");
                }

                tracker.Progress(id, bytes);
            },
            cancellationToken).ConfigureAwait(false);
        var sha = HashedSha(custody);
        var receipt = outcome.Receipt;
        if (receipt.EvidenceId != id || receipt.Sha256 != sha || receipt.Size != (ulong)rec.Size)
        {
            // Not written to the custody chain: the vault's entries would no longer link to it, so
            // the item could never be completed after the mismatch clears. Alarm, log and counter instead.
            counters.ReceiptMismatched();
            Log.ReceiptMismatch(logger, id, sha, rec.Size, receipt.Sha256, (long)receipt.Size);
            alarms.Raise(EvidenceAlarms.ReceiptMismatch, id,
                Invariant($"receipt for {id} ({rec.FileName}, camera {rec.Camera.Serial}) does not match the staged copy: local sha256={sha} size={rec.Size}, vault sha256={receipt.Sha256} size={receipt.Size}; nothing wiped, retried"),
                new Dictionary<string, string>
                {
                    ["evidence_id"] = id, ["camera_serial"] = rec.Camera.Serial, ["file"] = rec.FileName,
                    ["local_sha256"] = sha, ["vault_sha256"] = receipt.Sha256,
                    ["local_size"] = rec.Size.ToString(CultureInfo.InvariantCulture), ["vault_size"] = receipt.Size.ToString(CultureInfo.InvariantCulture),
                });
            throw new ReceiptMismatchException($"receipt for {id} does not match");
        }

        alarms.Clear(EvidenceAlarms.ReceiptMismatch, id);

        // The vault's entries are trusted (and the camera wiped) only if FleetControl's custody key signed them.
        if (vaultCustody.Problem(id, receipt, custody.Entries.Count > 0 && custody.Entries[^1].IsSigned) is { } untrusted)
        {
            counters.ReceiptMismatched();
            Log.ReceiptUnverified(logger, id, untrusted);
            alarms.Raise(EvidenceAlarms.ReceiptUnverified, id,
                Invariant($"receipt for {id} ({rec.FileName}, camera {rec.Camera.Serial}) is not trusted: {untrusted}; nothing wiped, retried"),
                new Dictionary<string, string> { ["evidence_id"] = id, ["camera_serial"] = rec.Camera.Serial, ["file"] = rec.FileName, ["problem"] = untrusted });
            throw new ReceiptMismatchException($"receipt for {id} is not trusted: {untrusted}");
        }

        alarms.Clear(EvidenceAlarms.ReceiptUnverified, id);

        custody.AppendVerified(receipt.Custody.Select(CustodyLink.FromProto));
        custody.Append(time.GetUtcNow(), "uploaded", device, "dock", Invariant($"vault={gateway.Value.FleetControlUrl} storedAt={receipt.StoredAt} resumedFrom={outcome.ResumedFrom} sentThisRun={outcome.BytesSent}"));
        custody.Append(time.GetUtcNow(), "verified", device, "dock", Invariant($"receipt sha256={receipt.Sha256} size={receipt.Size} matches the staged copy"));
        counters.Verified();
        tracker.SetState(rec.Bay, id, rec.FileName, rec.Size, item.Critical, "verified");
        Log.ReceiptVerified(logger, id, receipt.Sha256, (long)receipt.Size, receipt.StoredAt);
    }

    /// <summary>Why the camera's file is not the one identified (and copied), or null when it still is (or is already gone).</summary>
    private static string? ChangedSinceIdentified(DockedRecording rec)
    {
        var now = new FileInfo(rec.VideoPath);
        if (!now.Exists)
        {
            return null;
        }

        return now.Length != rec.Size || now.LastWriteTimeUtc != rec.ModifiedUtc.UtcDateTime
            ? Invariant($"changed since it was copied (size {rec.Size} -> {now.Length}, modified {CustodyLink.FormatTime(rec.ModifiedUtc)} -> {CustodyLink.FormatTime(new DateTimeOffset(now.LastWriteTimeUtc, TimeSpan.Zero))})")
            : null;
    }

    private static string HashedSha(CustodyLog custody) => Field(custody.Entries.Last(e => e.Event == "hashed").Details, "sha256");

    internal static string Field(string details, string name)
    {
        foreach (var part in details.Split(' '))
        {
            if (part.StartsWith(name + "=", StringComparison.Ordinal))
            {
                return part[(name.Length + 1)..];
            }
        }

        return string.Empty;
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
