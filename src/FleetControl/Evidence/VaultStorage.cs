using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace FleetControl.Evidence;

/// <summary>
/// The vault directory: <c>{id}.partial</c> with its durable received offset in
/// <c>{id}.partial.offset</c>, committed recordings as <c>{id}{ext}</c>, receipts and custody chains.
/// </summary>
internal sealed partial class VaultStorage
{
    public VaultStorage(IOptions<EvidenceVaultOptions> options)
        : this(options.Value.VaultDirectory)
    {
    }

    public VaultStorage(string directory)
    {
        Directory = Path.GetFullPath(directory);
        System.IO.Directory.CreateDirectory(Directory);
    }

    public string Directory { get; }

    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, SemaphoreSlim> _itemLocks = new(StringComparer.Ordinal);

    /// <summary>
    /// Waits until no other call works on item <paramref name="id"/> (an upload, an offset query, a custody append) and
    /// holds it until the returned handle is disposed: one writer per item, per vault directory.
    /// </summary>
    public async Task<ItemLock> LockItemAsync(string id, CancellationToken cancellationToken)
    {
        var gate = _itemLocks.GetOrAdd(id, static _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        return new ItemLock(gate);
    }

    /// <summary>Held by <see cref="LockItemAsync"/>; disposing it lets the next call on the item in.</summary>
    internal readonly struct ItemLock(SemaphoreSlim gate) : IAsyncDisposable
    {
        public ValueTask DisposeAsync()
        {
            gate.Release();
            return ValueTask.CompletedTask;
        }
    }

    public static bool IsValidId(string evidenceId) => IdPattern().IsMatch(evidenceId);

    public string PartialPath(string id) => Path.Combine(Directory, id + ".partial");

    public string RecordPath(string id) => Path.Combine(Directory, id + RecordSuffix);

    /// <summary>File name ending of a committed item's receipt record.</summary>
    public const string RecordSuffix = ".receipt.json";

    public string CustodyPath(string id) => Path.Combine(Directory, id + ".custody.jsonl");

    public string StoredPath(string storedFileName) => Path.Combine(Directory, storedFileName);

    public static string StoredFileName(string id, string originalName)
    {
        var ext = Path.GetExtension(originalName);
        return id + (ExtensionPattern().IsMatch(ext) ? ext.ToLowerInvariant() : ".bin");
    }

    /// <summary>
    /// The durable received offset of an uncommitted item. A stored file without a record (crash
    /// between rename and record) goes back to partial so the upload can finish the commit.
    /// </summary>
    public long RecoverOffset(string id, string? storedFileName)
    {
        var partial = PartialPath(id);
        if (storedFileName is not null && File.Exists(StoredPath(storedFileName)) && !File.Exists(partial))
        {
            File.Move(StoredPath(storedFileName), partial);
            WriteOffset(id, new FileInfo(partial).Length);
        }

        var offsetPath = partial + ".offset";
        if (!File.Exists(partial) || !File.Exists(offsetPath))
        {
            return 0;
        }

        return long.TryParse(File.ReadAllText(offsetPath), NumberStyles.None, CultureInfo.InvariantCulture, out var offset)
            ? Math.Min(offset, new FileInfo(partial).Length)
            : 0;
    }

    public void WriteOffset(string id, long offset)
    {
        var path = PartialPath(id) + ".offset";
        var temp = path + ".tmp";
        using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            stream.Write(Encoding.ASCII.GetBytes(offset.ToString(CultureInfo.InvariantCulture)));
            stream.Flush(true);
        }

        File.Move(temp, path, overwrite: true);
    }

    public void DiscardPartial(string id)
    {
        File.Delete(PartialPath(id));
        File.Delete(PartialPath(id) + ".offset");
    }

    /// <summary>Moves the complete, fsynced partial to its stored name and makes the rename durable.</summary>
    public void Commit(string id, string storedFileName)
    {
        File.Move(PartialPath(id), StoredPath(storedFileName), overwrite: true);
        File.Delete(PartialPath(id) + ".offset");
        SyncDirectory(Directory);
    }

    public static void SyncDirectory(string directory)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        // fsync on a directory makes renames inside it durable; .NET will not open directories, so libc.
        var fd = NativeMethods.open(directory, 0);
        if (fd >= 0)
        {
            _ = NativeMethods.fsync(fd);
            _ = NativeMethods.close(fd);
        }
    }

    [GeneratedRegex("^[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}$")]
    private static partial Regex IdPattern();

    [GeneratedRegex("^\\.[A-Za-z0-9]{1,8}$")]
    private static partial Regex ExtensionPattern();
}
