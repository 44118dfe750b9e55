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
public sealed record CustodyLink(
    ulong Sequence,
    string At,
    string Event,
    string Device,
    string Actor,
    string Details,
    string PreviousHash,
    string Hash)
{
    /// <summary>The previous-hash of the first entry.</summary>
    public const string GenesisHash = "0000000000000000000000000000000000000000000000000000000000000000";

    /// <summary>The entry hash: SHA-256 (lowercase hex) of the fields joined by newlines.</summary>
    public static string ComputeHash(string evidenceId, ulong sequence, string at, string evt, string device, string actor, string details, string previousHash)
    {
        var text = string.Join('\n', evidenceId, sequence.ToString(CultureInfo.InvariantCulture), at, evt, device, actor, details, previousHash);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
    }

    /// <summary>Creates the next entry, stamping its hash.</summary>
    public static CustodyLink Create(string evidenceId, ulong sequence, DateTimeOffset at, string evt, string device, string actor, string details, string previousHash)
    {
        var time = FormatTime(at);
        return new CustodyLink(sequence, time, evt, device, actor, details, previousHash,
            ComputeHash(evidenceId, sequence, time, evt, device, actor, details, previousHash));
    }

    /// <summary>The time format of <see cref="At"/>.</summary>
    public static string FormatTime(DateTimeOffset at) => at.UtcDateTime.ToString("O", CultureInfo.InvariantCulture);

    /// <summary>What <see cref="Hash"/> must be if nothing was altered.</summary>
    public string ExpectedHash(string evidenceId) => ComputeHash(evidenceId, Sequence, At, Event, Device, Actor, Details, PreviousHash);

    /// <summary>The wire form.</summary>
    public CustodyEntry ToProto() => new()
    {
        Sequence = Sequence, At = At, Event = Event, Device = Device, Actor = Actor,
        Details = Details, PreviousHash = PreviousHash, Hash = Hash,
    };

    /// <summary>From the wire form.</summary>
    public static CustodyLink FromProto(CustodyEntry e) =>
        new(e.Sequence, e.At, e.Event, e.Device, e.Actor, e.Details, e.PreviousHash, e.Hash);
}
