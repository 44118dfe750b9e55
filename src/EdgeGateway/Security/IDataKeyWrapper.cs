namespace EdgeGateway.Security;

/// <summary>
/// Protects the data keys that encrypt this device's data at rest (the outbox's payloads): a data key is stored
/// only wrapped. Today a key-encryption key in a file with mode 0600 (<see cref="FileDataKeyWrapper"/>); a TPM can
/// hold it later behind this interface, so that a copied disk alone does not open the data.
/// </summary>
internal interface IDataKeyWrapper
{
    /// <summary>The wrapped form of <paramref name="dataKey"/>, safe to store beside the data.</summary>
    byte[] Wrap(ReadOnlySpan<byte> dataKey);

    /// <summary>The data key back; throws <see cref="System.Security.Cryptography.CryptographicException"/> if it was not wrapped by this key.</summary>
    byte[] Unwrap(ReadOnlySpan<byte> wrapped);
}
