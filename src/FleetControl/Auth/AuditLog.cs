using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace FleetControl.Auth;

/// <summary>
/// The append-only audit log: one JSON line per record, <c>{"entry":{...},"hash":"..."}</c>, where hash =
/// SHA-256(previous hash + the entry's exact JSON text). There is no update or delete path: the file is only
/// ever opened to append (or read), and each append is fsynced before the caller goes on (an evidence view is
/// answered only after its record is on disk). The server and the <c>accounts</c> command both append, under
/// a cross-process lock, each reading the chain's tail first.
/// </summary>
internal sealed class AuditLog(string path, TimeProvider time)
{
    /// <summary>The "previous hash" of the first record.</summary>
    public static readonly string Genesis = new('0', 64);

    private const int MaxFieldLength = 512;
    private static readonly TimeSpan LockTimeout = TimeSpan.FromSeconds(10);
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly SemaphoreSlim _gate = new(1, 1);

    public string Path { get; } = System.IO.Path.GetFullPath(path);

    /// <summary>Appends <paramref name="audit"/> durably and returns the stored record.</summary>
    public async Task<AuditEntry> AppendAsync(AuditEvent audit, CancellationToken cancellationToken)
    {
        System.IO.Directory.CreateDirectory(System.IO.Path.GetDirectoryName(Path)!);
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            using (await ExclusiveFileLock.AcquireAsync(Path + ".lock", LockTimeout, cancellationToken).ConfigureAwait(false))
            {
                var (sequence, previous) = ReadTail();
                var entry = new AuditEntry(
                    sequence + 1,
                    time.GetUtcNow(),
                    Clip(audit.Actor),
                    Clip(audit.Action),
                    Clip(audit.Target),
                    Clip(audit.Outcome),
                    Clip(audit.Remote),
                    audit.Detail is null ? null : Clip(audit.Detail),
                    previous);
                var body = JsonSerializer.Serialize(entry, Json);
                var line = $"{{\"entry\":{body},\"hash\":\"{Hash(previous, body)}\"}}\n";
                await using var stream = OwnerOnlyFile.Open(Path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite);
                await stream.WriteAsync(Encoding.UTF8.GetBytes(line), cancellationToken).ConfigureAwait(false);
                stream.Flush(flushToDisk: true);
                return entry;
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>The newest records first, at most <paramref name="limit"/>, optionally only those whose action starts with <paramref name="actionPrefix"/>.</summary>
    public IReadOnlyList<AuditEntry> ReadNewest(int limit, string? actionPrefix)
    {
        var newest = new List<AuditEntry>();
        foreach (var (entry, _, _) in ReadAll().Reverse())
        {
            if (entry is not null && (actionPrefix is null || entry.Action.StartsWith(actionPrefix, StringComparison.Ordinal)))
            {
                newest.Add(entry);
                if (newest.Count == limit)
                {
                    break;
                }
            }
        }

        return newest;
    }

    /// <summary>Checks every line's hash and its link to the line before.</summary>
    public AuditVerification Verify()
    {
        var previous = Genesis;
        long count = 0;
        foreach (var (entry, body, hash) in ReadAll())
        {
            count++;
            if (entry is null || body is null || hash is null)
            {
                return new AuditVerification(false, count, $"line {count} is not an audit record");
            }

            if (entry.Previous != previous)
            {
                return new AuditVerification(false, count, $"line {count} (sequence {entry.Sequence}) does not link to the line before it");
            }

            if (Hash(previous, body) != hash)
            {
                return new AuditVerification(false, count, $"line {count} (sequence {entry.Sequence}) does not match its hash: it was edited");
            }

            previous = hash;
        }

        return new AuditVerification(true, count, null);
    }

    private IEnumerable<(AuditEntry? Entry, string? Body, string? Hash)> ReadAll()
    {
        if (!File.Exists(Path))
        {
            return [];
        }

        var records = new List<(AuditEntry?, string?, string?)>();
        using var stream = new FileStream(Path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        while (reader.ReadLine() is { } line)
        {
            if (line.Length > 0)
            {
                records.Add(Parse(line));
            }
        }

        return records;
    }

    private static (AuditEntry? Entry, string? Body, string? Hash) Parse(string line)
    {
        try
        {
            using var document = JsonDocument.Parse(line);
            var body = document.RootElement.GetProperty("entry").GetRawText();
            return (JsonSerializer.Deserialize<AuditEntry>(body, Json), body, document.RootElement.GetProperty("hash").GetString());
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            return (null, null, null);
        }
    }

    /// <summary>The sequence and hash of the last record (0 and <see cref="Genesis"/> for an empty log).</summary>
    private (long Sequence, string Hash) ReadTail()
    {
        if (!File.Exists(Path))
        {
            return (0, Genesis);
        }

        using var stream = new FileStream(Path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        var length = stream.Length;
        if (length == 0)
        {
            return (0, Genesis);
        }

        // Records are short (fields are clipped), so the last one lies within the last 16 KiB.
        var size = (int)Math.Min(length, 16 * 1024);
        var buffer = new byte[size];
        stream.Position = length - size;
        stream.ReadExactly(buffer);
        var text = Encoding.UTF8.GetString(buffer).TrimEnd('\n');
        var last = text[(text.LastIndexOf('\n') + 1)..];
        var (entry, _, hash) = Parse(last);
        if (entry is null || hash is null)
        {
            // Never append to a chain whose end cannot be read: the break must stay visible, not be papered over.
            throw new InvalidDataException($"The audit log {Path} ends with a line that is not an audit record; it needs an administrator's attention.");
        }

        return (entry.Sequence, hash);
    }

    private static string Hash(string previous, string body) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(previous + body)));

    private static string Clip(string value) => value.Length <= MaxFieldLength ? value : value[..MaxFieldLength];
}
