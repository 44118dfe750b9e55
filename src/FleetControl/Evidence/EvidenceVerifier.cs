using EdgeGateway.Contracts.Evidence;
using System.Security.Cryptography;
using FleetControl.Identity;

namespace FleetControl.Evidence;

/// <summary>
/// Verifies one vault item end to end: receipt present, stored file present with the receipt's size
/// and SHA-256, every custody link intact, the receipt's entries part of the chain, and every entry's
/// signature valid against the certificates the given <see cref="CustodyTrust"/> holds (so a chain edited and fully
/// re-hashed fails at the first entry altered).
/// </summary>
internal static class EvidenceVerifier
{
    /// <param name="vaultDirectory">The vault.</param>
    /// <param name="evidenceId">The item.</param>
    /// <param name="trust">Whose signatures count, and whether unsigned entries pass.</param>
    /// <param name="cancellationToken">Stops the file hash.</param>
    public static async Task<EvidenceVerification> VerifyAsync(string vaultDirectory, string evidenceId, CustodyTrust trust, CancellationToken cancellationToken)
    {
        if (!VaultStorage.IsValidId(evidenceId))
        {
            return EvidenceVerification.Fail($"'{evidenceId}' is not a valid evidence id");
        }

        var storage = new VaultStorage(vaultDirectory);
        EvidenceRecord? record;
        try
        {
            record = FileEvidenceCatalog.Read(storage.RecordPath(evidenceId));
        }
        catch (Exception e) when (e is InvalidDataException or System.Text.Json.JsonException or Google.Protobuf.InvalidProtocolBufferException)
        {
            return EvidenceVerification.Fail($"receipt {storage.RecordPath(evidenceId)} is unreadable: {e.Message}");
        }

        if (record is null)
        {
            return EvidenceVerification.Fail($"no receipt for {evidenceId} in {storage.Directory}");
        }

        var problems = new List<string>();
        var receipt = record.Receipt;
        var file = storage.StoredPath(record.StoredFileName);
        if (!File.Exists(file))
        {
            problems.Add($"missing file: {file}");
        }
        else
        {
            var length = new FileInfo(file).Length;
            if ((ulong)length != receipt.Size)
            {
                problems.Add($"file size mismatch: receipt {receipt.Size} bytes, file {length} bytes");
            }

            string actual;
            await using (var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20, FileOptions.SequentialScan | FileOptions.Asynchronous))
            {
                actual = Convert.ToHexStringLower(await SHA256.HashDataAsync(stream, cancellationToken).ConfigureAwait(false));
            }

            if (actual != receipt.Sha256)
            {
                problems.Add($"file hash mismatch: receipt {receipt.Sha256}, file {actual}");
            }
        }

        List<CustodyLink> chain;
        try
        {
            chain = CustodyChain.Read(storage.CustodyPath(evidenceId));
        }
        catch (InvalidDataException e)
        {
            problems.Add($"custody chain unreadable: {e.Message}");
            return new EvidenceVerification(false, problems, null);
        }

        if (chain.Count == 0)
        {
            problems.Add($"custody chain missing: {storage.CustodyPath(evidenceId)}");
        }
        else if (CustodyChain.FindBreak(evidenceId, chain) is { } broken)
        {
            problems.Add($"custody chain (format {CustodyLink.DescribeVersions(chain)}) broken at {broken}");
        }

        var signatures = trust.Check(evidenceId, record.Item.DeviceId, chain);
        problems.AddRange(signatures.Problems.Select(p => "custody signature: " + p));

        var receiptHead = receipt.Custody.LastOrDefault()?.Hash;
        if (receiptHead is not null && !chain.Exists(e => e.Hash == receiptHead))
        {
            problems.Add($"the receipt's custody entry {receiptHead} is not in the chain");
        }

        var hashed = chain.LastOrDefault(e => e.Event == "hashed");
        if (hashed is not null && !hashed.Details.Contains("sha256=" + receipt.Sha256, StringComparison.Ordinal))
        {
            problems.Add($"custody entry {hashed.Sequence} (hashed) does not record sha256 {receipt.Sha256}: {hashed.Details}");
        }

        var summary = $"OK {evidenceId}: {receipt.Size} bytes, sha256 {receipt.Sha256}, stored {receipt.StoredAt}, " +
            $"custody {chain.Count} entries, format {CustodyLink.DescribeVersions(chain)} ({string.Join(" > ", chain.Select(e => e.Event))}), signed by {signatures.Signers}, head {(chain.Count > 0 ? chain[^1].Hash : "-")}";
        return new EvidenceVerification(problems.Count == 0, problems, summary);
    }
}
