using System.Text.Json;

namespace FleetControl.Auth;

/// <summary>
/// The default <see cref="AccountStore"/>: local accounts in one JSON file (<c>Auth:AccountsFile</c>, default <c>{DataDirectory}/accounts.json</c>, mode
/// 0600). The server reads it and notices changes by the file's time and size, so accounts added with the
/// <c>accounts</c> command apply to a running server at once. Every change re-reads the file under a
/// cross-process lock and replaces it atomically (write, fsync, rename).
/// </summary>
internal sealed class FileAccountStore : AccountStore
{
    private static readonly TimeSpan LockTimeout = TimeSpan.FromSeconds(10);
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };
    private readonly Lock _gate = new();
    private (DateTime Written, long Length) _loadedStamp = (DateTime.MinValue, -1);
    private AccountsDocument _snapshot = new();

    public FileAccountStore(string path)
    {
        Path = System.IO.Path.GetFullPath(path);
    }

    /// <inheritdoc/>
    public override string Path { get; }

    /// <inheritdoc/>
    public override IReadOnlyList<AccountRecord> List() => Current().Accounts;

    /// <inheritdoc/>
    public override AccountRecord? Find(string name) =>
        Current().Accounts.Find(a => string.Equals(a.Name, name, StringComparison.OrdinalIgnoreCase));

    /// <inheritdoc/>
    protected override IEnumerable<AccountRecord> AccountsHoldingToken(string tokenId) => Current().Accounts;

    /// <inheritdoc/>
    public override async Task<T> UpdateAsync<T>(Func<AccountsDocument, T> change, CancellationToken cancellationToken)
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
}
