using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Serialization;
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
/// versions existed carry no version and read as 1), <see cref="CurrentVersion"/> (length-prefixed,
/// unsigned) or <see cref="SignedVersion"/> (length-prefixed, with the signer, signed).
/// </param>
/// <param name="Signer">Version 3: the id of the key that signed the entry (<see cref="KeyIdOf(ECDsa)"/>).</param>
/// <param name="Signature">Version 3: base64 ECDSA P-256 signature (IEEE P1363) of <see cref="Hash"/>'s digest.</param>
public sealed record CustodyLink(
    ulong Sequence,
    string At,
    string Event,
    string Device,
    string Actor,
    string Details,
    string PreviousHash,
    string Hash,
    int Version = CustodyLink.LegacyVersion,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Signer = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Signature = null)
{
    /// <summary>The previous-hash of the first entry.</summary>
    public const string GenesisHash = "0000000000000000000000000000000000000000000000000000000000000000";

    /// <summary>Version 1: SHA-256 of the fields joined by <c>\n</c>. Ambiguous (a field holding <c>\n</c> moves the boundaries); verified, never written.</summary>
    public const int LegacyVersion = 1;

    /// <summary>Version 2: SHA-256 of length-prefixed fields (see <see cref="ComputeHash(int, string, ulong, string, string, string, string, string, string)"/>). Every new entry uses it.</summary>
    public const int CurrentVersion = 2;

    /// <summary>
    /// Version 3: version 2's encoding (tag <c>edgegateway.custody.v3</c>) plus the signer's key id as a last
    /// field, and an ECDSA signature over that hash. Written by every party that holds a key (a device
    /// through its key store, FleetControl's vault with its own key).
    /// </summary>
    public const int SignedVersion = 3;

    private static readonly byte[] V2Tag = Encoding.ASCII.GetBytes("edgegateway.custody.v2");
    private static readonly byte[] V3Tag = Encoding.ASCII.GetBytes("edgegateway.custody.v3");

    /// <summary>True for a version this code can verify.</summary>
    public static bool IsKnownVersion(int version) => version is LegacyVersion or CurrentVersion or SignedVersion;

    /// <summary>True when the entry claims a signature (version 3); whether it holds is for <see cref="VerifySignature"/>.</summary>
    public bool IsSigned => Version == SignedVersion;

    /// <summary>A signing key's id: the lowercase hex SHA-256 of its SubjectPublicKeyInfo (the same for a key and its certificates).</summary>
    public static string KeyIdOf(ECDsa key) => Convert.ToHexStringLower(SHA256.HashData(key.ExportSubjectPublicKeyInfo()));

    /// <summary>
    /// The entry hash, lowercase hex. Version 2 hashes the tag <c>edgegateway.custody.v2</c> and then
    /// each field (evidence id, sequence in decimal, at, event, device, actor, details, previous hash)
    /// as a 4-byte big-endian length followed by its UTF-8 bytes, so no field content can move a
    /// boundary. Version 1 hashes the fields joined by newlines.
    /// </summary>
    public static string ComputeHash(int version, string evidenceId, ulong sequence, string at, string evt, string device, string actor, string details, string previousHash) =>
        ComputeHash(version, evidenceId, sequence, at, evt, device, actor, details, previousHash, null);

    /// <summary>The entry hash in any version; <paramref name="signer"/> is hashed in version 3 only (and required there).</summary>
    public static string ComputeHash(int version, string evidenceId, ulong sequence, string at, string evt, string device, string actor, string details, string previousHash, string? signer)
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

            case SignedVersion:
                using (var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256))
                {
                    AppendField(hash, V3Tag);
                    foreach (var field in (ReadOnlySpan<string>)[evidenceId, seq, at, evt, device, actor, details, previousHash, signer ?? string.Empty])
                    {
                        AppendField(hash, Encoding.UTF8.GetBytes(field));
                    }

                    return Convert.ToHexStringLower(hash.GetHashAndReset());
                }

            default:
                throw new ArgumentOutOfRangeException(nameof(version), version, "unknown custody entry version");
        }
    }

    /// <summary>
    /// Creates the next entry, stamping its hash; in the current version unless <paramref name="version"/> says
    /// otherwise. With a <paramref name="signer"/> an entry of version 2 or later is written signed (version 3);
    /// version 3 without a signer, and a signer on a version 1 continuation, are refused.
    /// </summary>
    public static CustodyLink Create(
        string evidenceId, ulong sequence, DateTimeOffset at, string evt, string device, string actor, string details, string previousHash,
        int version = CurrentVersion, ICustodySigner? signer = null)
    {
        var time = FormatTime(at);
        if (signer is null)
        {
            if (version == SignedVersion)
            {
                throw new ArgumentException("a version 3 custody entry needs a signer", nameof(signer));
            }

            return new CustodyLink(sequence, time, evt, device, actor, details, previousHash,
                ComputeHash(version, evidenceId, sequence, time, evt, device, actor, details, previousHash), version);
        }

        if (version == LegacyVersion)
        {
            throw new ArgumentException("a version 1 continuation cannot be signed (the reader predates signatures)", nameof(version));
        }

        var keyId = signer.KeyId;
        var hash = ComputeHash(SignedVersion, evidenceId, sequence, time, evt, device, actor, details, previousHash, keyId);
        var signature = signer.SignHash(Convert.FromHexString(hash));
        return new CustodyLink(sequence, time, evt, device, actor, details, previousHash, hash, SignedVersion, keyId, Convert.ToBase64String(signature));
    }

    /// <summary>
    /// True when <see cref="Signature"/> is a valid signature of this entry's expected hash by <paramref name="publicKey"/>
    /// (whose id must be <see cref="Signer"/>). False for an unsigned entry or any malformed field.
    /// </summary>
    public bool VerifySignature(string evidenceId, ECDsa publicKey)
    {
        if (!IsSigned || Signer is null || Signature is null || ExpectedHash(evidenceId) is not { } expected
            || !string.Equals(KeyIdOf(publicKey), Signer, StringComparison.Ordinal))
        {
            return false;
        }

        Span<byte> signature = stackalloc byte[132];
        return Convert.TryFromBase64String(Signature, signature, out var length)
            && publicKey.VerifyHash(Convert.FromHexString(expected), signature[..length]);
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
        ? ComputeHash(Version, evidenceId, Sequence, At, Event, Device, Actor, Details, PreviousHash, Signer)
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

            if (e.IsSigned && (string.IsNullOrEmpty(e.Signer) || string.IsNullOrEmpty(e.Signature)))
            {
                return $"entry {i} ({e.Event}): format version 3 without a signer or signature";
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
        Signer = Signer ?? string.Empty, Signature = Signature ?? string.Empty,
    };

    /// <summary>From the wire form (version 0, from a sender that predates versions, is 1).</summary>
    public static CustodyLink FromProto(CustodyEntry e) =>
        new(e.Sequence, e.At, e.Event, e.Device, e.Actor, e.Details, e.PreviousHash, e.Hash, e.Version == 0 ? LegacyVersion : (int)e.Version,
            e.Signer.Length == 0 ? null : e.Signer, e.Signature.Length == 0 ? null : e.Signature);

    private static void AppendField(IncrementalHash hash, ReadOnlySpan<byte> field)
    {
        Span<byte> length = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(length, field.Length);
        hash.AppendData(length);
        hash.AppendData(field);
    }
}
