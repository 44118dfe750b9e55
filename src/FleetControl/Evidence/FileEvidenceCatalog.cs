using System.Text;
using System.Text.Json.Nodes;
using EdgeGateway.Contracts.V1;
using Google.Protobuf;

namespace FleetControl.Evidence;

/// <summary>
/// One <c>{id}.receipt.json</c> per committed item in the vault directory, written atomically and
/// fsynced. Plain files keep the verify command independent of a running server (no database lock).
/// </summary>
internal sealed class FileEvidenceCatalog(VaultStorage storage) : IEvidenceCatalog
{
    public EvidenceRecord? Find(string evidenceId) => Read(storage.RecordPath(evidenceId));

    public IReadOnlyList<EvidenceRecord> List(string? deviceId) =>
        Directory.EnumerateFiles(storage.Directory, "*" + VaultStorage.RecordSuffix)
            .Select(Read)
            .OfType<EvidenceRecord>()
            .Where(r => deviceId is null || string.Equals(r.Item.DeviceId, deviceId, StringComparison.Ordinal))
            .OrderBy(r => r.Receipt.StoredAt, StringComparer.Ordinal)
            .ToList();

    public void Save(EvidenceRecord record)
    {
        var json = new JsonObject
        {
            ["storedFile"] = record.StoredFileName,
            ["item"] = JsonNode.Parse(JsonFormatter.Default.Format(record.Item)),
            ["receipt"] = JsonNode.Parse(JsonFormatter.Default.Format(record.Receipt)),
        };
        var path = storage.RecordPath(record.Item.EvidenceId);
        var temp = path + ".tmp";
        using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            stream.Write(Encoding.UTF8.GetBytes(json.ToJsonString()));
            stream.Flush(true);
        }

        File.Move(temp, path, overwrite: true);
        VaultStorage.SyncDirectory(Path.GetDirectoryName(path)!);
    }

    internal static EvidenceRecord? Read(string path)
    {
        if (!File.Exists(path))
        {
            return null;
        }

        var json = JsonNode.Parse(File.ReadAllText(path)) ?? throw new InvalidDataException($"{path} is empty");
        return new EvidenceRecord(
            JsonParser.Default.Parse<EvidenceItem>(json["item"]!.ToJsonString()),
            JsonParser.Default.Parse<EvidenceReceipt>(json["receipt"]!.ToJsonString()),
            json["storedFile"]!.GetValue<string>());
    }
}
