using EdgeGateway.Contracts.Evidence;
using System.Text;
using System.Text.Json;

namespace FleetControl.Evidence;

/// <summary>Reads, checks and writes an item's custody chain file (JSON lines, fsynced).</summary>
internal static class CustodyChain
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>Checks every link (format versions 1 and 2); null when intact, otherwise exactly what broke.</summary>
    public static string? FindBreak(string evidenceId, IReadOnlyList<CustodyLink> entries) => CustodyLink.FindBreak(evidenceId, entries);

    public static List<CustodyLink> Read(string path)
    {
        var entries = new List<CustodyLink>();
        if (!File.Exists(path))
        {
            return entries;
        }

        var number = 0;
        foreach (var line in File.ReadLines(path))
        {
            number++;
            if (line.Length == 0)
            {
                continue;
            }

            CustodyLink? entry;
            try
            {
                entry = JsonSerializer.Deserialize<CustodyLink>(line, Json);
            }
            catch (JsonException e)
            {
                throw new InvalidDataException($"custody line {number} is not a valid entry: {e.Message}", e);
            }

            entries.Add(entry ?? throw new InvalidDataException($"custody line {number} is empty"));
        }

        return entries;
    }

    /// <summary>Replaces the whole chain atomically (before an item is committed).</summary>
    public static void WriteAll(string path, IEnumerable<CustodyLink> entries)
    {
        var text = new StringBuilder();
        foreach (var e in entries)
        {
            text.Append(JsonSerializer.Serialize(e, Json)).Append('\n');
        }

        var temp = path + ".tmp";
        using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            stream.Write(Encoding.UTF8.GetBytes(text.ToString()));
            stream.Flush(true);
        }

        File.Move(temp, path, overwrite: true);
    }

    /// <summary>Appends to a committed chain (fsync per append).</summary>
    public static void Append(string path, CustodyLink entry)
    {
        using var stream = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read);
        stream.Write(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(entry, Json) + "\n"));
        stream.Flush(true);
    }
}
