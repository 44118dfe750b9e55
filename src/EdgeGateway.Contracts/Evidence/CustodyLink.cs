using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using EdgeGateway.Contracts.V1;

namespace EdgeGateway.Contracts.Evidence;

/// <summary>
/// One entry of an item's hash-chained custody log. The hash covers every field and the previous
/// entry's hash (format in evidence.proto, <c>CustodyEntry</c>), so changing or removing any entry
/// breaks every later link. Dock and vault both compute it here, so the chain FleetControl continues
/// is the one the dock started.
/// </summary>
/// <param name="Sequence">0-based position in the chain.</param>
/// <param name="At">UTC time, ISO 8601 round-trip format.</param>
/// <param name="Event">What happened: captured, docked, copied, hashed, uploaded, received, verified, stored, wiped...</param>
/// <param name="Device">The device that did it (dock id, or the vault).</param>
/// <param name="Actor">Who or what acted (service, officer id).</param>
/// <param name="Details">Free text: sizes, hashes, offsets.</param>
/// <param name="PreviousHash">The previous entry's hash; <see cref="GenesisHash"/> for the first.</param>
/// <param name="Hash">SHA-256 over the evidence id, every field above and the previous hash.</param>
/// <param name="Version">
/// Hash encoding: <see cref="LegacyVersion"/> (fields joined by newlines; entries written before
/// versions existed carry no version and read as 1) or <see cref="CurrentVersion"/> (length-prefixed).
/// </param>
public sealed record CustodyLink(
    ulong Sequence,
    string At,
    string Event,
    string Device,
    string Actor,
    string Details,
    string PreviousHash,
    string Hash,
    int Version = CustodyLink.LegacyVersion)
{
    /// <summary>The previous-hash of the first entry.</summary>
    public const string GenesisHash = "0000000000000000000000000000000000000000000000000000000000000000";

    /// <summary>Version 1: SHA-256 of the fields joined by <c>\n</c>. Ambiguous (a field holding <c>\n</c> moves the boundaries); verified, never written.</summary>
    public const int LegacyVersion = 1;

    /// <summary>Version 2: SHA-256 of length-prefixed fields (see <see cref="ComputeHash(int, string, ulong, string, string, string, string, string, string)"/>). Every new entry uses it.</summary>
    public const int CurrentVersion = 2;

    private static readonly byte[] V2Tag = Encoding.ASCII.GetBytes("edgegateway.custody.v2");

    /// <summary>True for a version this code can verify.</summary>
    public static bool IsKnownVersion(int version) => version is LegacyVersion or CurrentVersion;

    /// <summary>
    /// The entry hash, lowercase hex. Version 2 hashes the tag <c>edgegateway.custody.v2</c> and then
    /// each field (evidence id, sequence in decimal, at, event, device, actor, details, previous hash)
    /// as a 4-byte big-endian length followed by its UTF-8 bytes, so no field content can move a
    /// boundary. Version 1 hashes the fields joined by newlines.
    /// </summary>
    public static string ComputeHash(int version, string evidenceId, ulong sequence, string at, string evt, string device, string actor, string details, string previousHash)
    {
        var seq = sequence.ToString(CultureInfo.InvariantCulture);
        switch (version)
        {
            case LegacyVersion:
                var text = string.Join('\n', evidenceId, seq, at, evt, device, actor, details, previousHash);
                return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
            case CurrentVersion:
                using (var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256))
                {
                    AppendField(hash, V2Tag);
                    foreach (var field in (ReadOnlySpan<string>)[evidenceId, seq, at, evt, device, actor, details, previousHash])
                    {
                        AppendField(hash, Encoding.UTF8.GetBytes(field));
                    }

                    return Convert.ToHexStringLower(hash.GetHashAndReset());
                }

            default:
                throw new ArgumentOutOfRangeException(nameof(version), version, "unknown custody entry version");
        }
    }

    /// <summary>Creates the next entry, stamping its hash; in the current version unless <paramref name="version"/> says otherwise.</summary>
    public static CustodyLink Create(string evidenceId, ulong sequence, DateTimeOffset at, string evt, string device, string actor, string details, string previousHash, int version = CurrentVersion)
    {
        var time = FormatTime(at);
        return new CustodyLink(sequence, time, evt, device, actor, details, previousHash,
            ComputeHash(version, evidenceId, sequence, time, evt, device, actor, details, previousHash), version);
    }

    /// <summary>
    /// The version a party continuing someone else's chain writes in: the version of the chain's last
    /// entry (so a dock that predates versions, and checks every entry as version 1, can still accept
    /// the vault's entries), the current version for an empty chain.
    /// </summary>
    public static int ContinuationVersion(IReadOnlyList<CustodyLink> chain) => chain.Count == 0 ? CurrentVersion : chain[^1].Version;

    /// <summary>The time format of <see cref="At"/>.</summary>
    public static string FormatTime(DateTimeOffset at) => at.UtcDateTime.ToString("O", CultureInfo.InvariantCulture);

    /// <summary>What <see cref="Hash"/> must be if nothing was altered; null when the version is unknown.</summary>
    public string? ExpectedHash(string evidenceId) => IsKnownVersion(Version)
        ? ComputeHash(Version, evidenceId, Sequence, At, Event, Device, Actor, Details, PreviousHash)
        : null;

    /// <summary>
    /// Checks a whole chain: sequence, links, hashes, known versions and no step back from version 2
    /// to version 1 (old entries may only come first). Null when intact, otherwise what broke.
    /// </summary>
    public static string? FindBreak(string evidenceId, IReadOnlyList<CustodyLink> entries)
    {
        var previous = GenesisHash;
        var version = LegacyVersion;
        for (var i = 0; i < entries.Count; i++)
        {
            var e = entries[i];
            if (e.Sequence != (ulong)i)
            {
                return $"entry {i} ({e.Event}): sequence expected {i}, actual {e.Sequence}";
            }

            if (!IsKnownVersion(e.Version))
            {
                return $"entry {i} ({e.Event}): unknown format version {e.Version}";
            }

            if (e.Version < version)
            {
                return $"entry {i} ({e.Event}): format version {e.Version} after version {version}";
            }

            if (e.PreviousHash != previous)
            {
                return $"entry {i} ({e.Event}): previous hash expected {previous}, actual {e.PreviousHash}";
            }

            var expected = e.ExpectedHash(evidenceId);
            if (e.Hash != expected)
            {
                return $"entry {i} ({e.Event}): hash (v{e.Version}) expected {expected}, actual {e.Hash}";
            }

            previous = e.Hash;
            version = e.Version;
        }

        return null;
    }

    /// <summary>Which format versions a chain uses, e.g. <c>v2</c> or <c>v1 (7) + v2 (3)</c>.</summary>
    public static string DescribeVersions(IEnumerable<CustodyLink> entries)
    {
        var counts = entries.GroupBy(e => e.Version).OrderBy(g => g.Key).Select(g => (g.Key, Count: g.Count())).ToList();
        return counts.Count switch
        {
            0 => "-",
            1 => string.Create(CultureInfo.InvariantCulture, $"v{counts[0].Key}"),
            _ => string.Join(" + ", counts.Select(c => string.Create(CultureInfo.InvariantCulture, $"v{c.Key} ({c.Count})"))),
        };
    }

    /// <summary>The wire form.</summary>
    public CustodyEntry ToProto() => new()
    {
        Sequence = Sequence, At = At, Event = Event, Device = Device, Actor = Actor,
        Details = Details, PreviousHash = PreviousHash, Hash = Hash, Version = (uint)Version,
    };

    /// <summary>From the wire form (version 0, from a sender that predates versions, is 1).</summary>
    public static CustodyLink FromProto(CustodyEntry e) =>
        new(e.Sequence, e.At, e.Event, e.Device, e.Actor, e.Details, e.PreviousHash, e.Hash, e.Version == 0 ? LegacyVersion : (int)e.Version);

    private static void AppendField(IncrementalHash hash, ReadOnlySpan<byte> field)
    {
        Span<byte> length = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(length, field.Length);
        hash.AppendData(length);
        hash.AppendData(field);
    }
}
