using EdgeGateway.Contracts.Evidence;

namespace EdgeGateway.Security;

/// <summary>
/// Signs the gateway's custody entries with the device key, through <see cref="IDeviceKeyStore"/> (so a TPM-held
/// key signs them later). Needs no certificate: FleetControl matches the key id to the certificates it issued for
/// that key, so entries written before enrolment, or under an older certificate, still verify.
/// </summary>
internal sealed class DeviceCustodySigner(IDeviceKeyStore keys) : ICustodySigner
{
    private readonly Lazy<string> _keyId = new(() => CustodyLink.KeyIdOf(keys.GetOrCreateKey()));

    /// <inheritdoc />
    public string KeyId => _keyId.Value;

    /// <inheritdoc />
    public byte[] SignHash(byte[] sha256) => keys.SignHash(sha256);

    /// <summary>The signer for <paramref name="identity"/>; none under the development plaintext override (no certificate will ever vouch for the key).</summary>
    public static ICustodySigner? For(GatewayIdentity? identity) => identity is { IsPlaintext: false } ? new DeviceCustodySigner(identity.Keys) : null;
}
