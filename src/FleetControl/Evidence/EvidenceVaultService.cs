using EdgeGateway.Storage;
using EdgeGateway.Contracts.Evidence;
using System.Globalization;
using System.Security.Cryptography;
using EdgeGateway.Contracts.V1;
using FleetControl.Identity;
using Grpc.Core;
using Microsoft.Extensions.Options;
using Microsoft.Win32.SafeHandles;

namespace FleetControl.Evidence;

/// <summary>
/// FleetControl's evidence vault (gRPC). Receives an item in CRC32C-checked chunks from the offset it
/// already holds, hashes what it received, checks the dock's custody chain, continues it (received,
/// verified, stored), commits the file and returns a receipt. A repeated upload of a committed item
/// returns the same receipt.
/// </summary>
internal sealed class EvidenceVaultService(
    VaultStorage storage,
    IEvidenceCatalog catalog,
    IOptions<EvidenceVaultOptions> options,
    TimeProvider time,
    VaultCustodySigner signer,
    CustodyTrust trust,
    ILogger<EvidenceVaultService> logger) : EvidenceVault.EvidenceVaultBase
{
    private const string VaultDevice = VaultCustodySigner.SignerName;

    public override async Task<UploadOffsetReply> GetUploadOffset(UploadOffsetRequest request, ServerCallContext context)
    {
        var id = CheckId(request.EvidenceId);
        await using var _ = await storage.LockItemAsync(id, context.CancellationToken).ConfigureAwait(false);
        if (catalog.Find(id) is { } record)
        {
            DeviceCaller.EnsureIs(context, record.Item.DeviceId, "read the upload state of evidence");
            return new UploadOffsetReply { Complete = true, Offset = record.Receipt.Size, Receipt = record.Receipt };
        }

        return new UploadOffsetReply { Offset = (ulong)storage.RecoverOffset(id, null) };
    }

    public override async Task<EvidenceReceipt> Upload(IAsyncStreamReader<UploadRequest> requestStream, ServerCallContext context)
    {
        var ct = context.CancellationToken;
        if (!await requestStream.MoveNext(ct).ConfigureAwait(false) || requestStream.Current.PartCase != UploadRequest.PartOneofCase.Header)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, "an upload starts with a header"));
        }

        var header = requestStream.Current.Header;
        var item = header.Item ?? throw new RpcException(new Status(StatusCode.InvalidArgument, "header has no item"));
        var id = CheckId(item.EvidenceId);
        DeviceCaller.EnsureIs(context, item.DeviceId, "upload evidence");
        await using var _ = await storage.LockItemAsync(id, ct).ConfigureAwait(false);
        if (catalog.Find(id) is { } existing)
        {
            DeviceCaller.EnsureIs(context, existing.Item.DeviceId, "upload evidence");
            Log.Repeated(logger, id);
            return existing.Receipt;
        }

        var size = (long)item.Size;
        var storedName = VaultStorage.StoredFileName(id, item.FileName);
        var durable = storage.RecoverOffset(id, storedName);
        if ((long)header.Offset != durable)
        {
            throw new RpcException(new Status(StatusCode.FailedPrecondition,
                Invariant($"the vault holds {durable} bytes of {id}; the upload starts at {header.Offset}")));
        }

        Log.UploadStarted(logger, id, item.DeviceId, durable, size);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        List<CustodyLink>? dockCustody = null;
        var declaredSha = item.Sha256;
        long offset;
        await using (var partial = new FileStream(storage.PartialPath(id), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read, 1, FileOptions.Asynchronous))
        {
            partial.SetLength(durable);
            offset = await HashPrefixAsync(partial, hash, durable, ct).ConfigureAwait(false);
            partial.Position = offset;
            PageCache.Drop(partial.SafeFileHandle, 0, offset);
            var lastCheckpoint = offset;
            Task? pendingCheckpoint = null;
            try
            {
                while (dockCustody is null && await requestStream.MoveNext(ct).ConfigureAwait(false))
                {
                    var part = requestStream.Current;
                    if (part.PartCase == UploadRequest.PartOneofCase.Trailer)
                    {
                        dockCustody = part.Trailer.Custody.Select(CustodyLink.FromProto).ToList();
                        declaredSha = string.IsNullOrEmpty(declaredSha) ? part.Trailer.Sha256 : declaredSha;
                        break;
                    }

                    if (part.PartCase != UploadRequest.PartOneofCase.Chunk)
                    {
                        throw new RpcException(new Status(StatusCode.InvalidArgument, "expected a chunk or the trailer"));
                    }

                    var chunk = part.Chunk;
                    if ((long)chunk.Offset != offset || offset + chunk.Data.Length > size)
                    {
                        throw new RpcException(new Status(StatusCode.FailedPrecondition,
                            Invariant($"chunk at {chunk.Offset} (+{chunk.Data.Length}) does not continue {id} at {offset} of {size}")));
                    }

                    var crc = Crc32C.Compute(chunk.Data.Span);
                    if (crc != chunk.Crc32C)
                    {
                        Log.ChunkCorrupt(logger, id, offset, chunk.Crc32C, crc);
                        throw new RpcException(new Status(StatusCode.DataLoss,
                            Invariant($"chunk of {id} at offset {offset} failed its CRC32C check; re-send from {offset}")));
                    }

                    hash.AppendData(chunk.Data.Span);
                    await partial.WriteAsync(chunk.Data.Memory, ct).ConfigureAwait(false);
                    offset += chunk.Data.Length;
                    if (offset - lastCheckpoint >= options.Value.CheckpointBytes)
                    {
                        // The fsync runs beside the receive loop (the chunks keep flowing); the offset file
                        // only ever names bytes that fsync has made durable.
                        if (pendingCheckpoint is not null)
                        {
                            await pendingCheckpoint.ConfigureAwait(false);
                        }

                        var (from, to) = (lastCheckpoint, offset);
                        pendingCheckpoint = Task.Run(() => Checkpoint(partial.SafeFileHandle, id, from, to), CancellationToken.None);
                        lastCheckpoint = offset;
                    }
                }
            }
            finally
            {
                if (pendingCheckpoint is not null)
                {
                    // Its failure (if any) surfaces again in the synchronous checkpoint below.
                    await pendingCheckpoint.ContinueWith(static _ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default).ConfigureAwait(false);
                }

                // Whatever arrived intact is kept for the resume, whichever way the call ends.
                Checkpoint(partial.SafeFileHandle, id, lastCheckpoint, offset);
            }
        }

        if (offset != size || dockCustody is null)
        {
            Log.UploadIncomplete(logger, id, offset, size);
            throw new RpcException(new Status(StatusCode.Aborted, Invariant($"upload of {id} ended at {offset} of {size} bytes")));
        }

        var sha = Convert.ToHexStringLower(hash.GetHashAndReset());
        if (!string.Equals(sha, declaredSha, StringComparison.OrdinalIgnoreCase))
        {
            Log.HashMismatch(logger, id, declaredSha, sha);
            storage.DiscardPartial(id);
            throw new RpcException(new Status(StatusCode.DataLoss, $"{id}: received bytes hash to {sha}, the dock declared '{declaredSha}'; re-send from 0"));
        }

        item = item.Clone();
        item.Sha256 = sha;

        if (CustodyChain.FindBreak(id, dockCustody) is { } broken)
        {
            Log.CustodyRejected(logger, id, broken);
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"custody chain of {id}: {broken}"));
        }

        // A signature that does not hold is refused now; unsigned entries are taken in (nothing stranded) and named by verification.
        if (trust.Check(id, item.DeviceId, dockCustody, acceptUnsigned: true).Problems is [var badSignature, ..])
        {
            Log.CustodyRejected(logger, id, badSignature);
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"custody chain of {id}: {badSignature}"));
        }

        var dockHashed = dockCustody.LastOrDefault(e => e.Event == "hashed");
        if (dockHashed is null || !dockHashed.Details.Contains("sha256=" + sha, StringComparison.Ordinal))
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"custody chain of {id} has no 'hashed' entry for sha256 {sha}"));
        }

        var now = time.GetUtcNow();
        var chain = new List<CustodyLink>(dockCustody);
        var actor = "vault";
        Add(chain, id, now, "received", actor, Invariant($"bytes={size} from={item.DeviceId} camera={item.CameraSerial} file={item.FileName}"));
        Add(chain, id, now, "verified", actor, Invariant($"sha256={sha} matches the dock's hashed entry"));
        Add(chain, id, now, "stored", actor, Invariant($"file={storedName} size={size}"));
        CustodyChain.WriteAll(storage.CustodyPath(id), chain);
        storage.Commit(id, storedName);
        var receipt = new EvidenceReceipt
        {
            EvidenceId = id,
            Sha256 = sha,
            Size = (ulong)size,
            StoredAt = now.UtcDateTime.ToString("O", CultureInfo.InvariantCulture),
        };
        receipt.Custody.AddRange(chain.Skip(dockCustody.Count).Select(e => e.ToProto()));
        foreach (var key in chain.Skip(dockCustody.Count).Where(e => e.IsSigned && e.Signer is not null).Select(e => e.Signer!).Distinct(StringComparer.Ordinal))
        {
            if (signer.CertificatePemFor(key) is { } pem)
            {
                receipt.SignerCertificates.Add(pem); // so the dock can check the vault's signatures against its CA
            }
        }

        catalog.Save(new EvidenceRecord(item, receipt, storedName));
        Log.Stored(logger, id, size, sha);
        return receipt;
    }

    public override async Task<AppendCustodyReply> AppendCustody(AppendCustodyRequest request, ServerCallContext context)
    {
        var id = CheckId(request.EvidenceId);
        await using var _ = await storage.LockItemAsync(id, context.CancellationToken).ConfigureAwait(false);
        if (catalog.Find(id) is not { } record)
        {
            throw new RpcException(new Status(StatusCode.FailedPrecondition, $"{id} is not in the vault"));
        }

        // Only the device that uploaded an item continues its chain, and only with entries in its own name.
        DeviceCaller.EnsureIs(context, record.Item.DeviceId, "append custody");
        foreach (var entry in request.Entries)
        {
            DeviceCaller.EnsureIs(context, entry.Device, "append custody entries");
        }

        var path = storage.CustodyPath(id);
        var chain = CustodyChain.Read(path);
        var appended = 0;
        foreach (var entry in request.Entries.Select(CustodyLink.FromProto))
        {
            if (chain.Exists(e => e.Hash == entry.Hash))
            {
                continue; // a retried append
            }

            var head = chain.Count == 0 ? CustodyLink.GenesisHash : chain[^1].Hash;
            if (entry.PreviousHash != head || entry.Sequence != (ulong)chain.Count || entry.ExpectedHash(id) != entry.Hash
                || chain.Count > 0 && entry.Version < chain[^1].Version)
            {
                var reason = Invariant($"entry {entry.Sequence} ({entry.Event}) does not continue the chain at {chain.Count} (head {head})");
                Log.CustodyRejected(logger, id, reason);
                throw new RpcException(new Status(StatusCode.InvalidArgument, reason));
            }

            if (entry.IsSigned && trust.Check(id, record.Item.DeviceId, [.. chain, entry], acceptUnsigned: true, from: chain.Count).Problems is [var badSignature])
            {
                Log.CustodyRejected(logger, id, badSignature);
                throw new RpcException(new Status(StatusCode.InvalidArgument, badSignature));
            }

            CustodyChain.Append(path, entry);
            chain.Add(entry);
            appended++;
        }

        Log.CustodyAppended(logger, id, appended);
        return new AppendCustodyReply { Length = (ulong)chain.Count, HeadHash = chain.Count == 0 ? string.Empty : chain[^1].Hash };
    }

    /// <summary>
    /// Appends a vault entry in the chain's own format version (an older dock checks entries in version 1), signed
    /// with FleetControl's custody key when the chain is signed (a dock that signs reads version 3).
    /// </summary>
    private void Add(List<CustodyLink> chain, string id, DateTimeOffset at, string evt, string actor, string details)
    {
        var version = CustodyLink.ContinuationVersion(chain);
        chain.Add(CustodyLink.Create(id, (ulong)chain.Count, at, evt, VaultDevice, actor, details, chain.Count == 0 ? CustodyLink.GenesisHash : chain[^1].Hash,
            version, version == CustodyLink.SignedVersion ? signer : null));
    }

    /// <summary>fsync, then record <paramref name="offset"/> as durable, then drop the now-clean range from the page cache.</summary>
    private void Checkpoint(SafeFileHandle partial, string id, long from, long offset)
    {
        RandomAccess.FlushToDisk(partial);
        storage.WriteOffset(id, offset);
        PageCache.Drop(partial, from, offset - from);
    }

    private static async Task<long> HashPrefixAsync(FileStream partial, IncrementalHash hash, long length, CancellationToken ct)
    {
        var buffer = new byte[4 * 1024 * 1024];
        long offset = 0;
        while (offset < length)
        {
            var n = await RandomAccess.ReadAsync(partial.SafeFileHandle, buffer.AsMemory(0, (int)Math.Min(buffer.Length, length - offset)), offset, ct).ConfigureAwait(false);
            if (n == 0)
            {
                break;
            }

            hash.AppendData(buffer, 0, n);
            offset += n;
        }

        return offset;
    }

    private static string CheckId(string id) => VaultStorage.IsValidId(id)
        ? id
        : throw new RpcException(new Status(StatusCode.InvalidArgument, $"'{id}' is not a valid evidence id"));

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
