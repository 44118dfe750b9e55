using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using EdgeGateway.Contracts.Evidence;
using EdgeGateway.Contracts.V1;
using EdgeGateway.Evidence;
using EdgeGateway.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EdgeGateway.Devices.InCarVideo.Recording;

/// <summary>
/// Takes a closed incident's clip into the evidence chain, through the dock's path (<see cref="StagingArea"/>,
/// <see cref="CustodyLog"/>, <see cref="EvidenceUploader"/>): ffmpeg's concat demuxer joins the clip's segments
/// without re-encoding (<c>-c copy</c>, bit-exact), the MP4 is fsynced and hashed (custody <c>assembled</c>,
/// <c>hashed</c>), uploaded resumably, and the receipt checked (<c>uploaded</c>, <c>verified</c>). The custody log is
/// the clip's state: a restart continues after its last entry, so a clip is assembled once and lands in the vault once.
/// <para>
/// At rest the clip is staged like the dock's copies: with <see cref="EvidenceOptions.EncryptStaging"/> and a key
/// wrapper, ffmpeg's plaintext MP4 (<c>data.partial.mp4</c>, transient) is hashed and sealed in one pass into
/// <see cref="StagingCipher"/> records under the clip's own wrapped data key (<c>data.key</c>), fsynced, renamed to
/// <c>data.partial</c>, and only then is the plaintext deleted and the custody log told (<c>assembled</c>,
/// <c>hashed</c>). A gateway killed anywhere before that starts the assembly over from the kept segments (the key
/// already made is reused); one killed between the two entries only hashes the staged copy again. Once the encrypted
/// clip is hashed, the plaintext segment copies go (they are not needed again); without encryption they stay until
/// the receipt. The clip leaves the vehicle only after a matching receipt.
/// </para>
/// </summary>
internal sealed class ClipFinisher(
    StagingArea staging,
    EvidenceUploader uploader,
    VideoCounters counters,
    IOptions<VideoOptions> options,
    IOptions<GatewayOptions> gateway,
    TimeProvider time,
    ILogger<ClipFinisher> logger)
{
    /// <summary>The folder of a clip's segment copies.</summary>
    public string SegmentDirectory(string evidenceId) => Path.Combine(staging.ItemDirectory(evidenceId), "segments");

    /// <summary>True when the clip is in the vault with a matching receipt (or had nothing to record).</summary>
    public static bool IsDone(CustodyLog custody) => custody.ContainsAfter("verified", "uploaded") || custody.Contains("empty");

    /// <summary>Assembles (once), uploads and verifies one clip, over whatever link there is (no bearer policy).</summary>
    public Task<bool> FinishAsync(Incident incident, IncidentClip clip, CancellationToken cancellationToken) =>
        FinishAsync(incident, clip, static () => (true, string.Empty), cancellationToken);

    /// <summary>
    /// Assembles (once), uploads and verifies one clip. <paramref name="mayUpload"/> is the clip bearer policy: when it
    /// says no, the clip is only assembled, hashed and sealed (custody <c>held</c>, once) and false is returned; it stays
    /// staged until a later call may upload it. True when the clip is done (verified, or had nothing to record).
    /// <paramref name="stopUpload"/> stops a running upload (the vehicle left the depot): custody <c>upload-stopped</c>,
    /// false is returned and the clip stays staged; the next upload resumes from the vault's received offset.
    /// </summary>
    public async Task<bool> FinishAsync(Incident incident, IncidentClip clip, Func<(bool Allowed, string WaitsFor)> mayUpload, CancellationToken cancellationToken, CancellationToken stopUpload = default)
    {
        var custody = staging.OpenCustody(clip.EvidenceId);
        var device = gateway.Value.DeviceId;
        if (IsDone(custody))
        {
            Cleanup(clip.EvidenceId);
            return true;
        }

        if (!custody.Contains("hashed"))
        {
            var segments = custody.Entries.Where(e => e.Event == "segment").Select(e => RecordingOffloader.Field(e.Details, "file")).ToList();
            if (segments.Count == 0)
            {
                custody.Append(time.GetUtcNow(), "empty", device, "in-car-video", $"camera={clip.Camera} delivered no footage between the window's start and end");
                Cleanup(clip.EvidenceId);
                return true;
            }

            if (custody.Contains("assembled") && File.Exists(staging.DataPath(clip.EvidenceId)))
            {
                // Killed between "assembled" and "hashed": the staged copy is complete, only its hash is missing.
                await HashStagedAsync(clip, custody, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await AssembleAsync(incident, clip, custody, segments, cancellationToken).ConfigureAwait(false);
            }
        }

        if (File.Exists(staging.KeyPath(clip.EvidenceId)))
        {
            DeleteSegments(clip.EvidenceId); // the encrypted clip is hashed: no plaintext copy of its footage stays
        }

        if (!custody.Contains("uploaded"))
        {
            var (allowed, waitsFor) = mayUpload();
            if (!allowed)
            {
                if (custody.Entries[^1].Event != "held")
                {
                    custody.Append(time.GetUtcNow(), "held", device, "in-car-video", Invariant(
                        $"critical={incident.Critical} waitsFor={waitsFor} policy=critical-over-lte-rest-at-depot"));
                    Log.ClipHeld(logger, clip.EvidenceId, waitsFor);
                }

                return false;
            }

            if (!await UploadAsync(incident, clip, custody, mayUpload, cancellationToken, stopUpload).ConfigureAwait(false))
            {
                return false;
            }
        }

        Cleanup(clip.EvidenceId);
        return true;
    }

    private async Task AssembleAsync(Incident incident, IncidentClip clip, CustodyLog custody, List<string> segments, CancellationToken cancellationToken)
    {
        var folder = SegmentDirectory(clip.EvidenceId);
        var list = Path.Combine(staging.ItemDirectory(clip.EvidenceId), "concat.txt");
        var text = new StringBuilder("ffconcat version 1.0\n");
        foreach (var name in segments)
        {
            text.Append("file '").Append(Path.Combine(folder, name).Replace("'", "'\\''", StringComparison.Ordinal)).Append("'\n");
        }

        await File.WriteAllTextAsync(list, text.ToString(), cancellationToken).ConfigureAwait(false);
        var temp = PlainTempPath(clip.EvidenceId);
        var sealedTemp = staging.DataPath(clip.EvidenceId) + ".sealing";
        File.Delete(temp); // leftovers of a run killed before "assembled": the assembly starts over from the segments
        File.Delete(sealedTemp);
        var info = new ProcessStartInfo(options.Value.FfmpegPath) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var arg in (ReadOnlySpan<string>)[
            "-hide_banner", "-nostdin", "-loglevel", "error", "-f", "concat", "-safe", "0", "-i", list,
            "-map", "0", "-c", "copy", "-fflags", "+bitexact", "-flags:v", "+bitexact", "-map_metadata", "-1",
            "-movflags", "+faststart", "-f", "mp4", temp])
        {
            info.ArgumentList.Add(arg);
        }

        using (var process = Process.Start(info) ?? throw new IOException("ffmpeg did not start"))
        {
            var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
            _ = process.StandardOutput.ReadToEndAsync(cancellationToken);
            try
            {
                await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                process.Kill();
                throw;
            }

            if (process.ExitCode != 0)
            {
                throw new IOException($"ffmpeg concat of {clip.EvidenceId} exited with {process.ExitCode}: {(await stderr.ConfigureAwait(false)).Trim()}");
            }
        }

        string sha;
        long size;
        var cipher = staging.CipherForCopy(clip.EvidenceId, fresh: true); // a key made by a killed run is reused
        if (cipher is null)
        {
            using (var stream = new FileStream(temp, FileMode.Open, FileAccess.ReadWrite, FileShare.Read))
            {
                stream.Flush(true);
                size = stream.Length;
                sha = Convert.ToHexStringLower(await SHA256.HashDataAsync(stream, cancellationToken).ConfigureAwait(false));
            }

            File.Move(temp, staging.DataPath(clip.EvidenceId), overwrite: true);
        }
        else
        {
            (sha, size) = await SealAsync(temp, sealedTemp, cipher, cancellationToken).ConfigureAwait(false);
            File.Move(sealedTemp, staging.DataPath(clip.EvidenceId), overwrite: true);
            File.Delete(temp);
        }

        var device = gateway.Value.DeviceId;
        custody.Append(time.GetUtcNow(), "assembled", device, "in-car-video", Invariant(
            $"file={FileName(incident, clip)} segments={segments.Count} first={segments[0]} last={segments[^1]} method=ffmpeg-concat-copy"));
        custody.Append(time.GetUtcNow(), "hashed", device, "in-car-video", Invariant($"sha256={sha} size={size}"));
        counters.ClipAssembled();
        Log.ClipAssembled(logger, clip.EvidenceId, incident.Id, clip.Camera, segments.Count, size, sha);
    }

    /// <summary>Hashes the plaintext MP4 and writes it as <see cref="StagingCipher"/> records into <paramref name="target"/> (fsynced), in one pass.</summary>
    private static async Task<(string Sha256, long Size)> SealAsync(string plain, string target, StagingCipher cipher, CancellationToken cancellationToken)
    {
        await using var stream = new FileStream(target, FileMode.Create, FileAccess.Write, FileShare.None, 1, FileOptions.Asynchronous);
        using var writer = new StagedFileWriter(stream, cipher, 0);
        await using var source = new FileStream(plain, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.Asynchronous | FileOptions.SequentialScan);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(StagingCipher.SegmentSize);
        try
        {
            int n;
            while ((n = await source.ReadAsync(buffer.AsMemory(0, StagingCipher.SegmentSize), cancellationToken).ConfigureAwait(false)) > 0)
            {
                hash.AppendData(buffer, 0, n);
                await writer.WriteAsync(buffer.AsMemory(0, n), cancellationToken).ConfigureAwait(false);
            }

            await writer.CompleteAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
        }

        await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
        stream.Flush(true);
        return (Convert.ToHexStringLower(hash.GetHashAndReset()), writer.Flushed);
    }

    /// <summary>Hashes the staged copy's plaintext (decrypting it) and records it: the resume after a kill between <c>assembled</c> and <c>hashed</c>.</summary>
    private async Task HashStagedAsync(IncidentClip clip, CustodyLog custody, CancellationToken cancellationToken)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(StagingCipher.SegmentSize);
        long size = 0;
        try
        {
            using var reader = staging.OpenReader(clip.EvidenceId);
            int n;
            while ((n = await reader.ReadAsync(size, buffer.AsMemory(0, StagingCipher.SegmentSize), cancellationToken).ConfigureAwait(false)) > 0)
            {
                hash.AppendData(buffer, 0, n);
                size += n;
            }
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
        }

        var sha = Convert.ToHexStringLower(hash.GetHashAndReset());
        custody.Append(time.GetUtcNow(), "hashed", gateway.Value.DeviceId, "in-car-video", Invariant($"sha256={sha} size={size}"));
        Log.ClipAssembled(logger, clip.EvidenceId, "(resumed)", clip.Camera, 0, size, sha);
    }

    /// <summary>ffmpeg's plaintext output, transient: deleted once the clip is staged encrypted.</summary>
    internal string PlainTempPath(string evidenceId) => staging.DataPath(evidenceId) + ".mp4";

    private void DeleteSegments(string evidenceId)
    {
        var folder = SegmentDirectory(evidenceId);
        if (Directory.Exists(folder))
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>Uploads and verifies the clip; false when <paramref name="stopUpload"/> stopped it first (recorded in custody).</summary>
    private async Task<bool> UploadAsync(Incident incident, IncidentClip clip, CustodyLog custody, Func<(bool Allowed, string WaitsFor)> mayUpload,
        CancellationToken cancellationToken, CancellationToken stopUpload)
    {
        var hashed = custody.Entries.Last(e => e.Event == "hashed");
        var sha = RecordingOffloader.Field(hashed.Details, "sha256");
        var size = long.Parse(RecordingOffloader.Field(hashed.Details, "size"), CultureInfo.InvariantCulture);
        var device = gateway.Value.DeviceId;
        var sidecar = new JsonObject
        {
            ["incidentId"] = incident.Id,
            ["camera"] = clip.Camera,
            ["trigger"] = incident.Triggers.FirstOrDefault(),
            ["triggers"] = new JsonArray([.. incident.Triggers.Select(t => (JsonNode?)t)]),
            ["windowStart"] = incident.WindowStart,
            ["windowEnd"] = incident.EndsAt,
            ["category"] = incident.Critical ? "critical" : "in-car-video",
        }.ToJsonString();
        var item = new EvidenceItem
        {
            EvidenceId = clip.EvidenceId,
            DeviceId = device,
            CameraSerial = device + "/" + clip.Camera,
            FileName = FileName(incident, clip),
            Size = (ulong)size,
            Sha256 = sha,
            Critical = incident.Critical,
            SidecarJson = sidecar,
            SidecarStatus = "ok",
            RecordedAt = CustodyLink.FormatTime(incident.WindowStart),
        };
        long sent = 0;
        UploadOutcome outcome;
        try
        {
            // The stop ends the sending only: once the trailer is out, the vault may be committing, and its receipt is
            // awaited and recorded (a custody log saying "stopped" while the vault holds the clip could not take it later).
            outcome = await uploader.UploadAsync(item, () => staging.OpenReader(clip.EvidenceId),
                () => Task.FromResult<(string, IReadOnlyList<CustodyLink>)>((sha, custody.Entries.ToList())), null, p => Interlocked.Exchange(ref sent, p),
                cancellationToken, stopSending: stopUpload).ConfigureAwait(false);
        }
        catch (Exception e) when (stopUpload.IsCancellationRequested && !cancellationToken.IsCancellationRequested && e is OperationCanceledException or Grpc.Core.RpcException)
        {
            // The vehicle left the depot mid-upload: the vault keeps what arrived intact, the next upload resumes there.
            var waitsFor = mayUpload().WaitsFor;
            var written = Interlocked.Read(ref sent);
            custody.Append(time.GetUtcNow(), "upload-stopped", device, "in-car-video", Invariant(
                $"critical={incident.Critical} waitsFor={(waitsFor.Length == 0 ? "depot" : waitsFor)} writtenUpTo={written} of={size} reason=left_the_depot resumesFrom=vault_offset"));
            counters.UploadStopped();
            Log.UploadStopped(logger, clip.EvidenceId, written, size);
            return false;
        }

        var receipt = outcome.Receipt;
        if (receipt.EvidenceId != clip.EvidenceId || receipt.Sha256 != sha || receipt.Size != (ulong)size)
        {
            throw new ReceiptMismatchException($"receipt for {clip.EvidenceId} (sha256 {receipt.Sha256}, {receipt.Size} bytes) does not match the clip (sha256 {sha}, {size} bytes)");
        }

        custody.AppendVerified(receipt.Custody.Select(CustodyLink.FromProto));
        custody.Append(time.GetUtcNow(), "uploaded", device, "in-car-video", Invariant($"vault={gateway.Value.FleetControlUrl} storedAt={receipt.StoredAt} resumedFrom={outcome.ResumedFrom} sentThisRun={outcome.BytesSent}"));
        custody.Append(time.GetUtcNow(), "verified", device, "in-car-video", Invariant($"receipt sha256={receipt.Sha256} size={receipt.Size} matches the clip"));
        counters.ClipVerified();
        Log.ClipVerified(logger, clip.EvidenceId, receipt.Sha256);
        try
        {
            var stored = custody.Entries.ToList().FindLastIndex(e => e.Event == "stored");
            await uploader.AppendCustodyAsync(clip.EvidenceId, custody.Entries.Skip(stored + 1), cancellationToken).ConfigureAwait(false);
        }
        catch (Grpc.Core.RpcException)
        {
            // The vault's copy of the chain ends at "stored"; the vehicle's log holds the rest.
        }

        return true;
    }

    /// <summary>After a matching receipt (or nothing recorded): the segments and the clip go, the custody log stays.</summary>
    private void Cleanup(string evidenceId)
    {
        DeleteSegments(evidenceId);
        File.Delete(PlainTempPath(evidenceId));
        File.Delete(staging.DataPath(evidenceId) + ".sealing");
        File.Delete(Path.Combine(staging.ItemDirectory(evidenceId), "concat.txt"));
        staging.FreeData(evidenceId);
    }

    private static string FileName(Incident incident, IncidentClip clip) => incident.Id + "-" + clip.Camera + ".mp4";

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
