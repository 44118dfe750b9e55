namespace EdgeGateway.Contracts.Evidence;

/// <summary>
/// Signs custody entries (version 3) with a party's private key: a device's key through its key store (a file
/// today, a TPM later), or FleetControl's vault key. Only a digest is handed over, so the key never has to leave
/// its store.
/// </summary>
public interface ICustodySigner
{
    /// <summary>The key's id, <see cref="CustodyLink.KeyIdOf(System.Security.Cryptography.ECDsa)"/>; hashed into every entry it signs.</summary>
    string KeyId { get; }

    /// <summary>An ECDSA P-256 signature (IEEE P1363, r||s) of a SHA-256 digest.</summary>
    byte[] SignHash(byte[] sha256);
}
