using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using EdgeGateway.Contracts.V1;

namespace EdgeGateway.Evidence;

/// <summary>
/// One entry of an item's hash-chained custody log. The hash covers every field and the previous
/// entry's hash (format in evidence.proto, <c>CustodyEntry</c>), so changing or removing any entry
/// breaks every later link.
/// </summary>
internal sealed record CustodyLink(
    ulong Sequence,
    string At,
    string Event,
    string Device,
    string Actor,
    string Details,
    string PreviousHash,
    string Hash)
{
    public const string GenesisHash = "0000000000000000000000000000000000000000000000000000000000000000";

    public static string ComputeHash(string evidenceId, ulong sequence, string at, string evt, string device, string actor, string details, string previousHash)
    {
        var text = string.Join('\n', evidenceId, sequence.ToString(CultureInfo.InvariantCulture), at, evt, device, actor, details, previousHash);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
    }

    public static string FormatTime(DateTimeOffset at) => at.UtcDateTime.ToString("O", CultureInfo.InvariantCulture);

    public string ExpectedHash(string evidenceId) => ComputeHash(evidenceId, Sequence, At, Event, Device, Actor, Details, PreviousHash);

    public CustodyEntry ToProto() => new()
    {
        Sequence = Sequence, At = At, Event = Event, Device = Device, Actor = Actor,
        Details = Details, PreviousHash = PreviousHash, Hash = Hash,
    };

    public static CustodyLink FromProto(CustodyEntry e) =>
        new(e.Sequence, e.At, e.Event, e.Device, e.Actor, e.Details, e.PreviousHash, e.Hash);
}
