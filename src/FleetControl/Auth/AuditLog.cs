using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace FleetControl.Auth;

/// <summary>
/// The append-only, hash-chained audit log: each record's hash = SHA-256(previous hash + the record's exact JSON
/// text). There is no update or delete path, and each append is durable before the caller goes on (an evidence
/// view is answered only after its record is stored). <see cref="FileAuditLog"/> (<c>audit.jsonl</c>, one
/// instance) by default; <see cref="PostgreSqlAuditLog"/> under <c>Store:Provider=PostgreSql</c>, one chain
/// shared by every instance.
/// </summary>
internal abstract class AuditLog
{
    /// <summary>The "previous hash" of the first record.</summary>
    public static readonly string Genesis = new('0', 64);

    private const int MaxFieldLength = 512;

    /// <summary>How the record body is serialized (the hash is over this exact text).</summary>
    protected static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>Where the log lives (a file path, or the database table), for messages.</summary>
    public abstract string Path { get; }

    /// <summary>Appends <paramref name="audit"/> durably and returns the stored record.</summary>
    public abstract Task<AuditEntry> AppendAsync(AuditEvent audit, CancellationToken cancellationToken);

    /// <summary>The newest records first, at most <paramref name="limit"/>, optionally only those whose action starts with <paramref name="actionPrefix"/>.</summary>
    public abstract IReadOnlyList<AuditEntry> ReadNewest(int limit, string? actionPrefix);

    /// <summary>Checks every record's hash and its link to the record before.</summary>
    public abstract AuditVerification Verify();

    /// <summary>The record that follows (<paramref name="sequence"/>, <paramref name="previous"/>), its JSON body and its hash.</summary>
    protected static (AuditEntry Entry, string Body, string Hash) Chain(AuditEvent audit, long sequence, string previous, DateTimeOffset at)
    {
        var entry = new AuditEntry(
            sequence + 1,
            at,
            Clip(audit.Actor),
            Clip(audit.Action),
            Clip(audit.Target),
            Clip(audit.Outcome),
            Clip(audit.Remote),
            audit.Detail is null ? null : Clip(audit.Detail),
            previous);
        var body = JsonSerializer.Serialize(entry, Json);
        return (entry, body, Hash(previous, body));
    }

    /// <summary>Checks a chain given oldest first; a record is (entry, its exact body, its stored hash), nulls for an unreadable one.</summary>
    protected static AuditVerification VerifyChain(IEnumerable<(AuditEntry? Entry, string? Body, string? Hash)> records)
    {
        var previous = Genesis;
        long count = 0;
        foreach (var (entry, body, hash) in records)
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

    /// <summary>The record a body holds, or null when it is not one.</summary>
    protected static AuditEntry? ParseEntry(string body)
    {
        try
        {
            return JsonSerializer.Deserialize<AuditEntry>(body, Json);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string Hash(string previous, string body) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(previous + body)));

    private static string Clip(string value) => value.Length <= MaxFieldLength ? value : value[..MaxFieldLength];
}
