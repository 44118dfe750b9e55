using System.Text;
using System.Text.Json.Nodes;
using EdgeGateway.Contracts.V1;
using Google.Protobuf;

namespace FleetControl.Evidence;

/// <summary>
/// One <c>{id}.receipt.json</c> per committed item in the vault directory, written atomically and
/// fsynced. Plain files keep the verify command independent of a running server (no database lock).
/// Listing and search answer from an <see cref="EvidenceIndex"/> built from the receipts once (on
/// first use, in parallel) and updated on every save, never by re-reading the vault per request.
/// </summary>
internal sealed class FileEvidenceCatalog(VaultStorage storage) : IEvidenceCatalog
{
    private readonly Lazy<EvidenceIndex> _index = new(() => BuildIndex(storage.Directory), LazyThreadSafetyMode.ExecutionAndPublication);

    public EvidenceRecord? Find(string evidenceId) => Read(storage.RecordPath(evidenceId));

    public EvidencePage Search(EvidenceQuery query) => _index.Value.Search(query);

    /// <summary>Builds the index from every receipt in <paramref name="vaultDirectory"/>.</summary>
    internal static EvidenceIndex BuildIndex(string vaultDirectory)
    {
        var index = new EvidenceIndex();
        foreach (var record in ReadAll(vaultDirectory))
        {
            index.Upsert(EvidenceIndex.Summarise(record));
        }

        return index;
    }

    /// <summary>Parses every receipt in the vault (in parallel); an unreadable one is skipped here and reported by <c>evidence verify</c>.</summary>
    internal static IEnumerable<EvidenceRecord> ReadAll(string vaultDirectory) =>
        Directory.EnumerateFiles(vaultDirectory, "*" + VaultStorage.RecordSuffix)
            .AsParallel()
            .Select(path =>
            {
                try
                {
                    return Read(path);
                }
                catch (Exception e) when (e is InvalidDataException or System.Text.Json.JsonException or InvalidProtocolBufferException or IOException)
                {
                    return null;
                }
            })
            .OfType<EvidenceRecord>()
            .ToList();

    /// <summary>The receipt file's content for <paramref name="record"/>.</summary>
    internal static byte[] Format(EvidenceRecord record)
    {
        var json = new JsonObject
        {
            ["storedFile"] = record.StoredFileName,
            ["item"] = JsonNode.Parse(JsonFormatter.Default.Format(record.Item)),
            ["receipt"] = JsonNode.Parse(JsonFormatter.Default.Format(record.Receipt)),
        };
        return Encoding.UTF8.GetBytes(json.ToJsonString());
    }

    public void Save(EvidenceRecord record)
    {
        WriteReceipt(storage, record);
        _index.Value.Upsert(EvidenceIndex.Summarise(record)); // replaces the entry if the build already read the file
    }

    /// <summary>Writes the item's receipt file atomically and durably (every catalogue keeps it: `evidence verify` reads the vault alone).</summary>
    internal static void WriteReceipt(VaultStorage storage, EvidenceRecord record)
    {
        var path = storage.RecordPath(record.Item.EvidenceId);
        var temp = path + ".tmp";
        using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            stream.Write(Format(record));
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

        return Parse(File.ReadAllText(path), path);
    }

    /// <summary>Parses a receipt file's content (<see cref="Format"/>); <paramref name="source"/> names it in errors.</summary>
    internal static EvidenceRecord Parse(string text, string source)
    {
        var json = JsonNode.Parse(text) ?? throw new InvalidDataException($"{source} is empty");
        return new EvidenceRecord(
            JsonParser.Default.Parse<EvidenceItem>(json["item"]!.ToJsonString()),
            JsonParser.Default.Parse<EvidenceReceipt>(json["receipt"]!.ToJsonString()),
            json["storedFile"]!.GetValue<string>());
    }
}
