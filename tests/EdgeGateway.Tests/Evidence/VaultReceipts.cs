using FleetControl.Evidence;

namespace EdgeGateway.Tests.Evidence;

/// <summary>What a vault directory holds, read the way <c>evidence verify</c> reads it.</summary>
internal static class VaultReceipts
{
    public static List<EvidenceRecord> All(string vault) =>
        Directory.GetFiles(vault, "*" + VaultStorage.RecordSuffix).Select(f => FileEvidenceCatalog.Read(f)!).ToList();
}
