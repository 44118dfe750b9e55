using System.Globalization;
using System.Text;
using System.Text.Json;
using EdgeGateway.Contracts;
using EdgeGateway.Contracts.Evidence;
using EdgeGateway.Hosting;
using EdgeGateway.Time;

namespace EdgeGateway.Evidence;

/// <summary>
/// An item's append-only, hash-chained custody log: one JSON line per entry, fsynced on every
/// append. A torn last line (power cut mid-append) was never acknowledged: opening ignores it, and the
/// next append cuts it off. Opening never changes the file, because a reader may open it while the
/// writer's entry is still being written (it then looks torn).
/// With a signer every entry this gateway appends is signed with the device key (format version 3).
/// Not thread-safe: one offload owns an item at a time.
/// </summary>
internal sealed class CustodyLog
{
    private static readonly JsonSerializerOptions Json = GatewayJson.With(new(JsonSerializerDefaults.Web));
    private readonly List<CustodyLink> _entries;
    private readonly ICustodySigner? _signer;
    private readonly ClockStepCursor? _clock;

    private CustodyLog(string path, string evidenceId, List<CustodyLink> entries, ICustodySigner? signer, ClockStepCursor? clock)
    {
        FilePath = path;
        EvidenceId = evidenceId;
        _entries = entries;
        _signer = signer;
        _clock = clock;
    }

    /// <summary>The event of an entry that explains a wall-clock step between its neighbours.</summary>
    public const string ClockStepEvent = "clock-step";

    public string FilePath { get; }

    public string EvidenceId { get; }

    public IReadOnlyList<CustodyLink> Entries => _entries;

    public string HeadHash => _entries.Count == 0 ? CustodyLink.GenesisHash : _entries[^1].Hash;

    /// <summary>
    /// Opens (or starts) the log at <paramref name="path"/>; <paramref name="signer"/> signs what is appended (null: unsigned,
    /// version 2); with <paramref name="clock"/>, wall-clock steps are recorded before the next entry (see <see cref="Append"/>).
    /// </summary>
    public static CustodyLog Open(string path, string evidenceId, ICustodySigner? signer = null, ClockStepCursor? clock = null)
    {
        var entries = new List<CustodyLink>();
        if (!File.Exists(path))
        {
            return new CustodyLog(path, evidenceId, entries, signer, clock);
        }

        var bytes = File.ReadAllBytes(path);
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
                link = JsonSerializer.Deserialize(bytes.AsSpan(start, newline - start), Json.Info<CustodyLink>());
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
        }

        return new CustodyLog(path, evidenceId, entries, signer, clock);
    }

    public bool Contains(string evt) => _entries.Exists(e => e.Event == evt);

    /// <summary>True when <paramref name="evt"/> occurs after the last <paramref name="after"/>.</summary>
    public bool ContainsAfter(string evt, string after)
    {
        var from = _entries.FindLastIndex(e => e.Event == after);
        return from >= 0 && _entries.FindIndex(from + 1, e => e.Event == evt) >= 0;
    }

    /// <summary>
    /// Appends an entry. First, so that the chain stays explainable, a <see cref="ClockStepEvent"/> entry for every
    /// wall-clock step since this item's last entry (before/after wall time and the monotonic window), and one when the
    /// wall clock now reads earlier than the last entry (a step the process did not see: an RTC reset after a power loss).
    /// </summary>
    public CustodyLink Append(DateTimeOffset at, string evt, string device, string actor, string details)
    {
        RecordClockSteps(at, device);
        return AppendEntry(at, evt, device, actor, details);
    }

    private void RecordClockSteps(DateTimeOffset at, string device)
    {
        if (_clock is null)
        {
            return;
        }

        foreach (var step in _clock.TakeNew())
        {
            AppendEntry(step.After, ClockStepEvent, device, "clock", string.Create(CultureInfo.InvariantCulture,
                $"before={CustodyLink.FormatTime(step.Before)} after={CustodyLink.FormatTime(step.After)} step={step.Size.TotalSeconds:+0.000;-0.000}s monotonic={step.MonotonicFrom:0.000}s..{step.MonotonicTo:0.000}s synchronised={(step.Synchronised ? "yes" : "no")}"));
        }

        if (_entries.Count > 0
            && _entries[^1].Device == device // a camera's own clock (the captured entry) is not the gateway's
            && DateTimeOffset.TryParse(_entries[^1].At, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var last)
            && last - at > _clock.Journal.Tolerance)
        {
            AppendEntry(at, ClockStepEvent, device, "clock", string.Create(CultureInfo.InvariantCulture,
                $"before={_entries[^1].At} after={CustodyLink.FormatTime(at)} step={(at - last).TotalSeconds:+0.000;-0.000}s monotonic={_clock.Journal.MonotonicSeconds():0.000}s reason=wall clock earlier than the previous entry (clock reset while the gateway was not running?)"));
        }
    }

    private CustodyLink AppendEntry(DateTimeOffset at, string evt, string device, string actor, string details)
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
        var line = JsonSerializer.Serialize(link, Json.Info<CustodyLink>()) + "\n";
        Directory.CreateDirectory(Path.GetDirectoryName(FilePath)!);
        using (var stream = new FileStream(FilePath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read))
        {
            CutTornTail(stream);
            stream.Seek(0, SeekOrigin.End);
            stream.Write(Encoding.UTF8.GetBytes(line));
            stream.Flush(true);
        }

        _entries.Add(link);
    }

    /// <summary>Cuts a torn last line (the bytes after the last newline) off before the next entry is appended.</summary>
    private static void CutTornTail(FileStream stream)
    {
        var block = new byte[4096];
        var end = stream.Length;
        for (var blockEnd = end; blockEnd > 0;)
        {
            var blockStart = Math.Max(0, blockEnd - block.Length);
            stream.Seek(blockStart, SeekOrigin.Begin);
            stream.ReadExactly(block, 0, (int)(blockEnd - blockStart));
            var newline = Array.LastIndexOf(block, (byte)'\n', (int)(blockEnd - blockStart) - 1);
            if (newline >= 0)
            {
                if (blockStart + newline + 1 < end)
                {
                    stream.SetLength(blockStart + newline + 1);
                }

                return;
            }

            blockEnd = blockStart;
        }

        if (end > 0)
        {
            stream.SetLength(0); // a torn first line
        }
    }
}
