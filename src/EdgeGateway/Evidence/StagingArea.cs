using System.Text.Json;
using EdgeGateway.Contracts;
using EdgeGateway.Contracts.Evidence;
using EdgeGateway.Contracts.Security;
using EdgeGateway.Hosting;
using EdgeGateway.Security;
using EdgeGateway.Time;
using Microsoft.Extensions.Options;

namespace EdgeGateway.Evidence;

/// <summary>
/// Local staging: one directory per evidence item holding the staged copy (<c>data.partial</c>), its
/// durable copy progress (<c>progress.json</c>) and its custody log (<c>custody.jsonl</c>). Space is
/// reserved per item before copying so the quota is never overrun by concurrent copies.
/// <para>
/// With <see cref="EvidenceOptions.EncryptStaging"/> (default) and a key wrapper, a new staged copy is encrypted at
/// rest (<see cref="StagingCipher"/>) under its own data key, kept only wrapped (<see cref="IDataKeyWrapper"/>, like the
/// outbox's) in <c>data.key</c> (mode 0600) beside it. A copy without <c>data.key</c> is plaintext (staged before
/// encryption, or with it off) and is read as it is. Hashes are always of the plaintext.
/// </para>
/// </summary>
internal sealed class StagingArea
{
    private static readonly JsonSerializerOptions Json = GatewayJson.With(new(JsonSerializerDefaults.Web));
    private readonly EvidenceOptions _options;
    private readonly Dictionary<string, long> _reserved = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private readonly ICustodySigner? _custodySigner;
    private readonly IDataKeyWrapper? _keys;
    private readonly ClockStepJournal? _clock;
    private readonly Dictionary<string, ClockStepCursor> _clockCursors = new(StringComparer.Ordinal);

    /// <param name="options">Staging quota and directory.</param>
    /// <param name="gateway">The data directory.</param>
    /// <param name="identity">The device identity whose key signs custody entries (none, or the development override: unsigned).</param>
    /// <param name="keys">Wraps the staged copies' data keys (none: new copies are staged in plaintext).</param>
    /// <param name="clock">The clock-step journal whose steps open items record (none: not recorded).</param>
    public StagingArea(IOptions<EvidenceOptions> options, IOptions<GatewayOptions> gateway, GatewayIdentity? identity = null, IDataKeyWrapper? keys = null, ClockStepJournal? clock = null)
    {
        _clock = clock;
        _options = options.Value;
        _keys = keys;
        _custodySigner = DeviceCustodySigner.For(identity);
        Root = string.IsNullOrEmpty(_options.StagingDirectory)
            ? Path.Combine(gateway.Value.DataDirectory, "evidence")
            : _options.StagingDirectory;
    }

    public string Root { get; }

    public string ItemDirectory(string evidenceId) => Path.Combine(Root, evidenceId);

    public string DataPath(string evidenceId) => Path.Combine(Root, evidenceId, "data.partial");

    public string KeyPath(string evidenceId) => Path.Combine(Root, evidenceId, "data.key");

    /// <summary>True when new staged copies are encrypted at rest.</summary>
    public bool EncryptsNew => _options.EncryptStaging && _keys is not null;

    /// <summary>
    /// The cipher of a staged copy about to be written: its existing data key, or (for a copy starting from nothing,
    /// <paramref name="fresh"/>) a new one when encryption is on; null for a plaintext copy.
    /// </summary>
    public StagingCipher? CipherForCopy(string evidenceId, bool fresh)
    {
        if (File.Exists(KeyPath(evidenceId)) || (fresh && EncryptsNew))
        {
            if (!File.Exists(KeyPath(evidenceId)))
            {
                PrivateFile.WriteAllBytes(KeyPath(evidenceId), _keys!.Wrap(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)));
            }

            return Cipher(evidenceId);
        }

        return null;
    }

    /// <summary>A reader of the staged copy's plaintext (decrypting when it has a data key).</summary>
    public StagedFileReader OpenReader(string evidenceId)
    {
        var cipher = File.Exists(KeyPath(evidenceId)) ? Cipher(evidenceId) : null;
        try
        {
            var handle = File.OpenHandle(DataPath(evidenceId), FileMode.Open, FileAccess.Read, FileShare.ReadWrite, FileOptions.Asynchronous);
            return new StagedFileReader(handle, cipher, ownsFile: true);
        }
        catch
        {
            cipher?.Dispose();
            throw;
        }
    }

    private StagingCipher Cipher(string evidenceId)
    {
        var wrapped = File.ReadAllBytes(KeyPath(evidenceId));
        if (_keys is null)
        {
            throw new InvalidOperationException($"the staged copy of {evidenceId} is encrypted, but this dock has no storage key wrapper");
        }

        var key = _keys.Unwrap(wrapped);
        try
        {
            return new StagingCipher(key, evidenceId);
        }
        finally
        {
            System.Security.Cryptography.CryptographicOperations.ZeroMemory(key);
        }
    }

    public string CustodyPath(string evidenceId) => Path.Combine(Root, evidenceId, "custody.jsonl");

    private string ProgressPath(string evidenceId) => Path.Combine(Root, evidenceId, "progress.json");

    private string SyncedPath(string evidenceId) => Path.Combine(Root, evidenceId, "custody.synced");

    public CustodyLog OpenCustody(string evidenceId) => CustodyLog.Open(CustodyPath(evidenceId), evidenceId, _custodySigner, ClockCursor(evidenceId));

    /// <summary>
    /// The item's place in the clock-step journal: an item already on disk when first opened by this process was open
    /// through every step this process saw; a new item only cares about steps from now on.
    /// </summary>
    private ClockStepCursor? ClockCursor(string evidenceId)
    {
        if (_clock is null)
        {
            return null;
        }

        lock (_gate)
        {
            if (!_clockCursors.TryGetValue(evidenceId, out var cursor))
            {
                cursor = new ClockStepCursor(_clock, File.Exists(CustodyPath(evidenceId)) ? 0 : _clock.Count);
                _clockCursors[evidenceId] = cursor;
            }

            return cursor;
        }
    }

    public IEnumerable<string> ItemIds() =>
        Directory.Exists(Root) ? Directory.EnumerateDirectories(Root).Select(Path.GetFileName).OfType<string>() : [];

    public CopyProgress? ReadProgress(string evidenceId)
    {
        var path = ProgressPath(evidenceId);
        try
        {
            return File.Exists(path) ? JsonSerializer.Deserialize(File.ReadAllText(path), Json.Info<CopyProgress>()) : null;
        }
        catch (JsonException)
        {
            return null; // written atomically, so only a foreign file gets here: start over
        }
    }

    /// <summary>Writes progress atomically and durably (temp file, fsync, rename).</summary>
    public void WriteProgress(string evidenceId, CopyProgress progress) =>
        WriteAtomically(ProgressPath(evidenceId), JsonSerializer.SerializeToUtf8Bytes(progress, Json.Info<CopyProgress>()));

    public bool IsCustodySynced(string evidenceId, int entries)
    {
        var path = SyncedPath(evidenceId);
        return File.Exists(path) && int.TryParse(File.ReadAllText(path), out var synced) && synced >= entries;
    }

    public void MarkCustodySynced(string evidenceId, int entries) =>
        WriteAtomically(SyncedPath(evidenceId), System.Text.Encoding.ASCII.GetBytes(entries.ToString(System.Globalization.CultureInfo.InvariantCulture)));

    /// <summary>Deletes the staged copy, its data key and its progress; the custody log stays as the item's record.</summary>
    public void FreeData(string evidenceId)
    {
        File.Delete(DataPath(evidenceId));
        File.Delete(KeyPath(evidenceId));
        File.Delete(ProgressPath(evidenceId));
    }

    public long StagedBytes(string evidenceId)
    {
        var info = new FileInfo(DataPath(evidenceId));
        return info.Exists ? info.Length : 0;
    }

    /// <summary>
    /// Reserves room for the whole item (what is already staged counts). False, with the figures for
    /// the alarm, when the quota or the free-disk reserve would be overrun.
    /// </summary>
    public bool TryReserve(string evidenceId, long size, out long usedBytes, out long freeDiskBytes)
    {
        lock (_gate)
        {
            usedBytes = 0;
            foreach (var id in ItemIds())
            {
                if (!_reserved.ContainsKey(id))
                {
                    usedBytes += StagedBytes(id);
                }
            }

            foreach (var reserved in _reserved.Values)
            {
                usedBytes += reserved;
            }

            var already = StagedBytes(evidenceId);
            usedBytes -= _reserved.ContainsKey(evidenceId) ? 0 : already;
            Directory.CreateDirectory(Root);
            freeDiskBytes = new DriveInfo(Path.GetFullPath(Root)).AvailableFreeSpace;
            var quotaOk = _options.StagingQuotaBytes <= 0 || usedBytes + size <= _options.StagingQuotaBytes;
            var diskOk = freeDiskBytes - (size - already) >= _options.MinFreeDiskBytes;
            if (!quotaOk || !diskOk)
            {
                return false;
            }

            _reserved[evidenceId] = size;
            return true;
        }
    }

    public void Release(string evidenceId)
    {
        lock (_gate)
        {
            _reserved.Remove(evidenceId);
        }
    }

    private static void WriteAtomically(string path, byte[] bytes)
    {
        var temp = path + ".tmp";
        using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            stream.Write(bytes);
            stream.Flush(true);
        }

        File.Move(temp, path, overwrite: true);
    }
}
