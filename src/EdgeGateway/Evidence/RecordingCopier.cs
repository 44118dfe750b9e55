using EdgeGateway.Storage;
using System.Buffers;
using System.Security.Cryptography;
using EdgeGateway.Devices.Bwv;
using Microsoft.Extensions.Options;
using Microsoft.Win32.SafeHandles;

namespace EdgeGateway.Evidence;

/// <summary>
/// Copies one recording from the camera into staging while hashing it (SHA-256, same pass),
/// resumably. Every <see cref="EvidenceOptions.CheckpointBytes"/> the staged file is fsynced and the
/// offset written durably; after a crash or an undock the copy restarts at that offset.
/// <para>
/// .NET cannot serialise a SHA-256 state, so on resume the staged prefix is re-hashed from local
/// disk. That is the cheapest correct choice: reading local disk sequentially costs a fraction of a
/// second per GiB and nothing is re-read from the camera (the slow USB link), whereas a hand-written
/// serialisable SHA-256 would be slower on every byte than the platform's hardware-accelerated one.
/// </para>
/// </summary>
internal sealed class RecordingCopier(StagingArea staging, IOptions<EvidenceOptions> options, TimeProvider time)
{
    public async Task<CopyResult> CopyAsync(DockedRecording recording, string evidenceId, Action<long> onProgress, CancellationToken cancellationToken, StagingTail? tail = null)
    {
        var o = options.Value;
        Directory.CreateDirectory(staging.ItemDirectory(evidenceId));
        var durable = staging.ReadProgress(evidenceId) is { } p && p.Size == recording.Size ? p.Offset : 0;
        var buffer = ArrayPool<byte>.Shared.Rent(o.CopyBufferBytes);
        var compare = durable > 0 ? ArrayPool<byte>.Shared.Rent(o.CopyBufferBytes) : null;
        try
        {
            var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            using var hashScope = hash;
            await using var target = new FileStream(
                staging.DataPath(evidenceId), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read, 1, FileOptions.Asynchronous);
            FileStream source;
            try
            {
                source = new FileStream(recording.VideoPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1, FileOptions.SequentialScan | FileOptions.Asynchronous);
            }
            catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
            {
                throw new CameraUndockedException($"{recording.VideoPath} is gone", e);
            }

            await using var sourceScope = source.ConfigureAwait(false);

            // The item's cipher (its data key), or none for a plaintext copy; an encrypted copy resumes at a segment boundary.
            using var cipher = staging.CipherForCopy(evidenceId, fresh: durable == 0);
            if (cipher is not null && durable != recording.Size)
            {
                durable -= durable % StagingCipher.SegmentSize;
            }

            // Whatever lies past the durable offset may be unsynced garbage: drop it.
            var fileLength = cipher is null ? target.Length : StagingCipher.PlainLength(target.Length);
            durable = Math.Min(durable, fileLength);
            target.SetLength(cipher is null ? durable : StagingCipher.FileLength(durable));

            // A resume continues the same item only if the staged bytes are the camera's bytes: the
            // staged prefix is re-hashed (decrypted) and compared with the camera's prefix as it is read.
            (long Offset, long? MismatchAt) verified;
            using (var reader = new StagedFileReader(target.SafeFileHandle, cipher is null ? null : staging.CipherForCopy(evidenceId, fresh: false), ownsFile: false))
            {
                verified = await VerifyPrefixAsync(recording, reader, source, hash, buffer, compare, durable, cancellationToken).ConfigureAwait(false);
            }

            var (offset, mismatchAt) = verified;
            var discarded = 0L;
            if (mismatchAt is not null)
            {
                discarded = durable;
                hash.GetHashAndReset();
                target.SetLength(0);
                RandomAccess.FlushToDisk(target.SafeFileHandle);
                staging.WriteProgress(evidenceId, new CopyProgress(0, recording.Size, null));
                offset = 0;
            }

            var resumedFrom = offset;
            using var writer = new StagedFileWriter(target, cipher, offset);
            onProgress(offset);
            tail?.MarkDurable(writer.FileOffset(offset), target.SafeFileHandle);
            tail?.Advance(offset);
            target.Position = writer.FileOffset(offset);
            var limiter = new BandwidthLimiter(o.CopyBytesPerSecond, time);
            var lastCheckpoint = offset;
            Task? pendingCheckpoint = null;
            {
                source.Position = offset;
                try
                {
                    while (offset < recording.Size)
                    {
                        // A Linux reader keeps reading a deleted file, so undock is detected by the marker.
                        if (!File.Exists(recording.MarkerPath))
                        {
                            throw new CameraUndockedException($"camera left bay {recording.Bay}");
                        }

                        var n = await source.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, recording.Size - offset)), cancellationToken).ConfigureAwait(false);
                        if (n == 0)
                        {
                            throw new CameraUndockedException($"{recording.VideoPath} ended at {offset} of {recording.Size} bytes");
                        }

                        hash.AppendData(buffer, 0, n);
                        await writer.WriteAsync(buffer.AsMemory(0, n), cancellationToken).ConfigureAwait(false);

                        // Read once and hashed: the camera's pages are not needed again (a resume re-reads from the camera anyway).
                        PageCache.Drop(source.SafeFileHandle, offset, n);
                        offset += n;
                        if (offset == recording.Size)
                        {
                            await writer.CompleteAsync(cancellationToken).ConfigureAwait(false);
                        }

                        onProgress(offset);
                        tail?.Advance(writer.Flushed);
                        if (writer.Flushed - lastCheckpoint >= o.CheckpointBytes)
                        {
                            // The fsync runs beside the copy; progress.json only ever names fsynced bytes (whole records).
                            if (pendingCheckpoint is not null)
                            {
                                await pendingCheckpoint.ConfigureAwait(false);
                            }

                            var at = writer.Flushed;
                            pendingCheckpoint = Task.Run(() => Checkpoint(target.SafeFileHandle, evidenceId, at, writer.FileOffset(at), recording.Size, tail), CancellationToken.None);
                            lastCheckpoint = at;
                        }

                        await limiter.PaceAsync(n, cancellationToken).ConfigureAwait(false);
                    }
                }
                catch (Exception e) when (e is CameraUndockedException or OperationCanceledException)
                {
                    // Undocked or the dock is shutting down: keep everything copied so far (whole records).
                    await SettleAsync(pendingCheckpoint).ConfigureAwait(false);
                    Checkpoint(target.SafeFileHandle, evidenceId, writer.Flushed, writer.FileOffset(writer.Flushed), recording.Size, tail);
                    throw;
                }
                catch (IOException e) when (!File.Exists(recording.MarkerPath))
                {
                    await SettleAsync(pendingCheckpoint).ConfigureAwait(false);
                    Checkpoint(target.SafeFileHandle, evidenceId, writer.Flushed, writer.FileOffset(writer.Flushed), recording.Size, tail);
                    throw new CameraUndockedException($"camera left bay {recording.Bay}", e);
                }
                catch
                {
                    await SettleAsync(pendingCheckpoint).ConfigureAwait(false);
                    throw;
                }
            }

            if (pendingCheckpoint is not null)
            {
                await pendingCheckpoint.ConfigureAwait(false);
            }

            RandomAccess.FlushToDisk(target.SafeFileHandle);
            var sha = Convert.ToHexStringLower(hash.GetHashAndReset());
            staging.WriteProgress(evidenceId, new CopyProgress(offset, recording.Size, sha));
            tail?.MarkDurable(writer.FileOffset(offset), target.SafeFileHandle);
            return new CopyResult(sha, resumedFrom, offset - resumedFrom, mismatchAt, discarded);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
            if (compare is not null)
            {
                ArrayPool<byte>.Shared.Return(compare);
            }
        }
    }

    /// <summary>
    /// Hashes the staged prefix and compares it with the camera's first <paramref name="durable"/>
    /// bytes. Returns the verified length and, when they differ, the first differing chunk's offset.
    /// </summary>
    private static async Task<(long Offset, long? MismatchAt)> VerifyPrefixAsync(
        DockedRecording recording, StagedFileReader target, FileStream source, IncrementalHash hash, byte[] buffer, byte[]? compare, long durable, CancellationToken cancellationToken)
    {
        long offset = 0;
        while (offset < durable)
        {
            var want = (int)Math.Min(buffer.Length, durable - offset);
            int n;
            try
            {
                n = await target.ReadAsync(offset, buffer.AsMemory(0, want), cancellationToken).ConfigureAwait(false);
            }
            catch (InvalidDataException)
            {
                return (offset, offset); // a staged record that does not authenticate: start over from the camera
            }

            if (n == 0)
            {
                break;
            }

            var m = await ReadFullyAsync(source, compare!, offset, n, cancellationToken).ConfigureAwait(false);
            if (m != n || !buffer.AsSpan(0, n).SequenceEqual(compare.AsSpan(0, n)))
            {
                if (!File.Exists(recording.MarkerPath))
                {
                    throw new CameraUndockedException($"camera left bay {recording.Bay}");
                }

                return (offset, offset);
            }

            hash.AppendData(buffer, 0, n);
            PageCache.Drop(source.SafeFileHandle, offset, n);
            offset += n;
        }

        return (offset, null);
    }

    private static async Task<int> ReadFullyAsync(FileStream source, byte[] into, long offset, int count, CancellationToken cancellationToken)
    {
        var done = 0;
        while (done < count)
        {
            var n = await RandomAccess.ReadAsync(source.SafeFileHandle, into.AsMemory(done, count - done), offset + done, cancellationToken).ConfigureAwait(false);
            if (n == 0)
            {
                break;
            }

            done += n;
        }

        return done;
    }

    /// <summary>fsync, then record <paramref name="offset"/> (plaintext bytes, <paramref name="fileOffset"/> in the file) as the durable copy offset.</summary>
    private void Checkpoint(SafeFileHandle target, string evidenceId, long offset, long fileOffset, long size, StagingTail? tail)
    {
        RandomAccess.FlushToDisk(target);
        staging.WriteProgress(evidenceId, new CopyProgress(offset, size, null));
        tail?.MarkDurable(fileOffset, target);
    }

    /// <summary>Waits for a background checkpoint; its failure, if any, shows again in the next checkpoint.</summary>
    private static Task SettleAsync(Task? pending) => pending is null
        ? Task.CompletedTask
        : pending.ContinueWith(static _ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
}
