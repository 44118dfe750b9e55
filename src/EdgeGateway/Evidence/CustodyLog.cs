using EdgeGateway.Contracts.Evidence;
using System.Text;
using System.Text.Json;

namespace EdgeGateway.Evidence;

/// <summary>
/// An item's append-only, hash-chained custody log: one JSON line per entry, fsynced on every
/// append. A torn last line (power cut mid-append) was never acknowledged and is cut off on open.
/// With a signer every entry this gateway appends is signed with the device key (format version 3).
/// Not thread-safe: one offload owns an item at a time.
/// </summary>
internal sealed class CustodyLog
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly List<CustodyLink> _entries;
    private readonly ICustodySigner? _signer;

    private CustodyLog(string path, string evidenceId, List<CustodyLink> entries, ICustodySigner? signer)
    {
        FilePath = path;
        EvidenceId = evidenceId;
        _entries = entries;
        _signer = signer;
    }

    public string FilePath { get; }

    public string EvidenceId { get; }

    public IReadOnlyList<CustodyLink> Entries => _entries;

    public string HeadHash => _entries.Count == 0 ? CustodyLink.GenesisHash : _entries[^1].Hash;

    /// <summary>Opens (or starts) the log at <paramref name="path"/>; <paramref name="signer"/> signs what is appended (null: unsigned, version 2).</summary>
    public static CustodyLog Open(string path, string evidenceId, ICustodySigner? signer = null)
    {
        var entries = new List<CustodyLink>();
        if (!File.Exists(path))
        {
            return new CustodyLog(path, evidenceId, entries, signer);
        }

        var bytes = File.ReadAllBytes(path);
        var goodLength = 0;
        var start = 0;
        while (start < bytes.Length)
        {
            var newline = Array.IndexOf(bytes, (byte)'\n', start);
            if (newline < 0)
            {
                break; // torn tail
            }

            CustodyLink? link;
            try
            {
                link = JsonSerializer.Deserialize<CustodyLink>(bytes.AsSpan(start, newline - start), Json);
            }
            catch (JsonException)
            {
                link = null;
            }

            if (link is null)
            {
                break;
            }

            entries.Add(link);
            start = newline + 1;
            goodLength = start;
        }

        if (goodLength < bytes.Length)
        {
            using var truncate = new FileStream(path, FileMode.Open, FileAccess.Write);
            truncate.SetLength(goodLength);
            truncate.Flush(true);
        }

        return new CustodyLog(path, evidenceId, entries, signer);
    }

    public bool Contains(string evt) => _entries.Exists(e => e.Event == evt);

    /// <summary>True when <paramref name="evt"/> occurs after the last <paramref name="after"/>.</summary>
    public bool ContainsAfter(string evt, string after)
    {
        var from = _entries.FindLastIndex(e => e.Event == after);
        return from >= 0 && _entries.FindIndex(from + 1, e => e.Event == evt) >= 0;
    }

    public CustodyLink Append(DateTimeOffset at, string evt, string device, string actor, string details)
    {
        var link = CustodyLink.Create(EvidenceId, (ulong)_entries.Count, at, evt, device, actor, details, HeadHash, signer: _signer);
        Write(link);
        return link;
    }

    /// <summary>
    /// Appends entries another party (the vault) added to the same chain, after checking each links
    /// to the head and hashes correctly. Entries already present (same hash) are skipped.
    /// </summary>
    public void AppendVerified(IEnumerable<CustodyLink> links)
    {
        foreach (var link in links)
        {
            if (_entries.Exists(e => e.Hash == link.Hash))
            {
                continue;
            }

            if (link.PreviousHash != HeadHash || link.Sequence != (ulong)_entries.Count || link.ExpectedHash(EvidenceId) != link.Hash
                || _entries.Count > 0 && link.Version < _entries[^1].Version)
            {
                throw new InvalidDataException(
                    $"Custody entry {link.Sequence} ({link.Event}) from the vault does not continue the chain of {EvidenceId}.");
            }

            Write(link);
        }
    }

    private void Write(CustodyLink link)
    {
        var line = JsonSerializer.Serialize(link, Json) + "\n";
        Directory.CreateDirectory(Path.GetDirectoryName(FilePath)!);
        using (var stream = new FileStream(FilePath, FileMode.Append, FileAccess.Write, FileShare.Read))
        {
            stream.Write(Encoding.UTF8.GetBytes(line));
            stream.Flush(true);
        }

        _entries.Add(link);
    }
}
