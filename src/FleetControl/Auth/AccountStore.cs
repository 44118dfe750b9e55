using System.Text.Json;
using System.Text.RegularExpressions;

namespace FleetControl.Auth;

/// <summary>
/// Local accounts in one JSON file (<c>Auth:AccountsFile</c>, default <c>{DataDirectory}/accounts.json</c>, mode
/// 0600). The server reads it and notices changes by the file's time and size, so accounts added with the
/// <c>accounts</c> command apply to a running server at once. Every change re-reads the file under a
/// cross-process lock and replaces it atomically (write, fsync, rename).
/// </summary>
internal sealed partial class AccountStore
{
    private static readonly TimeSpan LockTimeout = TimeSpan.FromSeconds(10);
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };
    private readonly Lock _gate = new();
    private (DateTime Written, long Length) _loadedStamp = (DateTime.MinValue, -1);
    private AccountsDocument _snapshot = new();

    public AccountStore(string path)
    {
        Path = System.IO.Path.GetFullPath(path);
    }

    public string Path { get; }

    /// <summary>Every account, as of the file's current content.</summary>
    public IReadOnlyList<AccountRecord> List() => Current().Accounts;

    /// <summary>The account named <paramref name="name"/> (case-insensitive), or null.</summary>
    public AccountRecord? Find(string name) =>
        Current().Accounts.Find(a => string.Equals(a.Name, name, StringComparison.OrdinalIgnoreCase));

    /// <summary>The account and token record that <paramref name="token"/> belongs to, when it is valid at <paramref name="now"/>.</summary>
    public (AccountRecord Account, ApiTokenRecord Token)? FindToken(string token, DateTimeOffset now)
    {
        if (ApiTokens.IdOf(token) is not { } id)
        {
            return null;
        }

        foreach (var account in Current().Accounts)
        {
            foreach (var record in account.Tokens)
            {
                if (record.Id == id)
                {
                    return ApiTokens.Matches(token, record) && (record.ExpiresAt is null || record.ExpiresAt > now) ? (account, record) : null;
                }
            }
        }

        return null;
    }

    /// <summary>True when <paramref name="name"/> may name an account: 1-64 of a-z, 0-9, '.', '_', '@', '-'.</summary>
    public static bool IsValidName(string name) => NamePattern().IsMatch(name);

    /// <summary>
    /// Applies <paramref name="change"/> to the file's latest content under the lock and writes the result;
    /// a change that throws writes nothing.
    /// </summary>
    public async Task<T> UpdateAsync<T>(Func<AccountsDocument, T> change, CancellationToken cancellationToken)
    {
        System.IO.Directory.CreateDirectory(System.IO.Path.GetDirectoryName(Path)!);
        using (await ExclusiveFileLock.AcquireAsync(Path + ".lock", LockTimeout, cancellationToken).ConfigureAwait(false))
        {
            var document = Load();
            var result = change(document);
            var temporary = Path + ".tmp";
            await using (var stream = OwnerOnlyFile.Open(temporary, FileMode.Create, FileAccess.Write))
            {
                await JsonSerializer.SerializeAsync(stream, document, Json, cancellationToken).ConfigureAwait(false);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temporary, Path, overwrite: true);
            lock (_gate)
            {
                _loadedStamp = (DateTime.MinValue, -1); // re-read on next access
            }

            return result;
        }
    }

    private AccountsDocument Current()
    {
        var info = new FileInfo(Path);
        var stamp = info.Exists ? (info.LastWriteTimeUtc, info.Length) : (DateTime.MinValue, 0L);
        lock (_gate)
        {
            if (stamp != _loadedStamp)
            {
                _snapshot = Load();
                _loadedStamp = stamp;
            }

            return _snapshot;
        }
    }

    private AccountsDocument Load()
    {
        if (!File.Exists(Path))
        {
            return new AccountsDocument();
        }

        try
        {
            using var stream = new FileStream(Path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            return JsonSerializer.Deserialize<AccountsDocument>(stream, Json) ?? new AccountsDocument();
        }
        catch (JsonException ex)
        {
            // Refuse rather than treat a damaged file as "no accounts" (which would hide every account).
            throw new InvalidDataException($"The accounts file {Path} is not valid JSON: {ex.Message}", ex);
        }
    }

    [GeneratedRegex("^[a-z0-9][a-z0-9._@-]{0,63}$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex NamePattern();
}
