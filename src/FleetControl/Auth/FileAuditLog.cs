using System.Text;
using System.Text.Json;

namespace FleetControl.Auth;

/// <summary>
/// The audit log in one file: one JSON line per record, <c>{"entry":{...},"hash":"..."}</c>. The file is only
/// ever opened to append (or read), and each append is fsynced before the caller goes on. The server and the
/// <c>accounts</c> command both append, under a cross-process lock, each reading the chain's tail first.
/// </summary>
internal sealed class FileAuditLog(string path, TimeProvider time) : AuditLog
{
    private static readonly TimeSpan LockTimeout = TimeSpan.FromSeconds(10);
    private readonly SemaphoreSlim _gate = new(1, 1);

    /// <inheritdoc/>
    public override string Path { get; } = System.IO.Path.GetFullPath(path);

    /// <inheritdoc/>
    public override async Task<AuditEntry> AppendAsync(AuditEvent audit, CancellationToken cancellationToken)
    {
        System.IO.Directory.CreateDirectory(System.IO.Path.GetDirectoryName(Path)!);
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            using (await ExclusiveFileLock.AcquireAsync(Path + ".lock", LockTimeout, cancellationToken).ConfigureAwait(false))
            {
                var (sequence, previous) = ReadTail();
                var (entry, body, hash) = Chain(audit, sequence, previous, time.GetUtcNow());
                var line = $"{{\"entry\":{body},\"hash\":\"{hash}\"}}\n";
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

    /// <inheritdoc/>
    public override IReadOnlyList<AuditEntry> ReadNewest(int limit, string? actionPrefix)
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

    /// <inheritdoc/>
    public override AuditVerification Verify() => VerifyChain(ReadAll());

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

    /// <summary>The sequence and hash of the last record (0 and <see cref="AuditLog.Genesis"/> for an empty log).</summary>
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
}
