using System.Text.Json;

namespace EdgeGateway.Contracts.Updates;

/// <summary>
/// What FleetControl offers a device: a package, its SHA-256 and size, and the fleet signing key's signature
/// over that SHA-256 (see <see cref="UpdateSignature"/>). Written once by the signer, read by the gateway.
/// </summary>
/// <param name="Version">The version the package installs.</param>
/// <param name="PackageUrl">Where to download the package (http(s) URL or a local path).</param>
/// <param name="Sha256">Lowercase hex SHA-256 of the package file.</param>
/// <param name="Size">The package's size in bytes.</param>
/// <param name="Signature">Base64 ECDSA P-256 signature (IEEE P1363) over the SHA-256 digest.</param>
/// <param name="KeyId">The signing key's id (<see cref="UpdateSignature.KeyIdOf"/>).</param>
public sealed record UpdateOffer(string Version, string PackageUrl, string Sha256, long Size, string Signature, string KeyId)
{
    private static readonly JsonSerializerOptions Json = ContractsJson.With(new(JsonSerializerDefaults.Web) { WriteIndented = true });

    /// <summary>The offer as JSON.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, Json.Info<UpdateOffer>());

    /// <summary>Reads an offer; throws <see cref="JsonException"/> or <see cref="InvalidDataException"/> when it is not one.</summary>
    public static UpdateOffer Parse(string json) =>
        JsonSerializer.Deserialize(json, Json.Info<UpdateOffer>()) is { Version.Length: > 0, Sha256.Length: > 0, Signature.Length: > 0 } offer
            ? offer
            : throw new InvalidDataException("not an update offer (version, sha256 and signature are required)");
}
