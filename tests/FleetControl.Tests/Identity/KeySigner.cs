using System.Security.Cryptography;
using EdgeGateway.Contracts.Evidence;

namespace FleetControl.Tests.Identity;

/// <summary>Signs custody entries with a key in hand, as a device's key store does (or as an attacker holding a key would).</summary>
internal sealed class KeySigner(ECDsa key) : ICustodySigner
{
    public string KeyId { get; } = CustodyLink.KeyIdOf(key);

    public byte[] SignHash(byte[] sha256) => key.SignHash(sha256);
}
