using System.Security.Cryptography;

namespace EdgeGateway.Security;

/// <summary>
/// Holds this device's private key (ECDSA P-256). The key is created on first use and never leaves the
/// store except as signatures (CSRs, TLS handshakes, custody entries). Today a file with mode 0600
/// (<see cref="FileDeviceKeyStore"/>); a TPM-backed store can take its place behind this interface.
/// </summary>
internal interface IDeviceKeyStore
{
    /// <summary>The device key, created (and persisted) if there is none yet.</summary>
    ECDsa GetOrCreateKey();

    /// <summary>
    /// Signs a SHA-256 digest with the device key (ECDSA, IEEE P1363 r||s): what custody entries are signed with.
    /// A TPM-backed store signs inside the TPM.
    /// </summary>
    byte[] SignHash(byte[] sha256);

    /// <summary>Where the key is kept, for logs (never the key).</summary>
    string Description { get; }
}
