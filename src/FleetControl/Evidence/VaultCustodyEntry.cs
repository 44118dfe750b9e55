using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using EdgeGateway.Contracts.V1;

namespace FleetControl.Evidence;

/// <summary>One custody chain entry as the vault stores it (one JSON line); hashing as in evidence.proto.</summary>
internal sealed record VaultCustodyEntry(
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

    public static VaultCustodyEntry Create(string evidenceId, ulong sequence, DateTimeOffset at, string evt, string device, string actor, string details, string previousHash)
    {
        var time = at.UtcDateTime.ToString("O", CultureInfo.InvariantCulture);
        return new VaultCustodyEntry(sequence, time, evt, device, actor, details, previousHash,
            ComputeHash(evidenceId, sequence, time, evt, device, actor, details, previousHash));
    }

    public string ExpectedHash(string evidenceId) => ComputeHash(evidenceId, Sequence, At, Event, Device, Actor, Details, PreviousHash);

    public CustodyEntry ToProto() => new()
    {
        Sequence = Sequence, At = At, Event = Event, Device = Device, Actor = Actor,
        Details = Details, PreviousHash = PreviousHash, Hash = Hash,
    };

    public static VaultCustodyEntry FromProto(CustodyEntry e) =>
        new(e.Sequence, e.At, e.Event, e.Device, e.Actor, e.Details, e.PreviousHash, e.Hash);
}
