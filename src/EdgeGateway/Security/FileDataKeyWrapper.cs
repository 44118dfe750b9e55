using System.Security.Cryptography;
using EdgeGateway.Contracts.Security;

namespace EdgeGateway.Security;

/// <summary>
/// Wraps data keys with AES-256-GCM under a key-encryption key kept in <c>storage.kek</c> beside the device key
/// (mode 0600, created on first use; refused when others can read it). Wrapped form: 12-byte random nonce,
/// ciphertext, 16-byte tag (few keys are ever wrapped, so random nonces are safe).
/// </summary>
internal sealed class FileDataKeyWrapper(string directory) : IDataKeyWrapper
{
    private const int NonceSize = 12;
    private const int TagSize = 16;
    private readonly Lock _gate = new();
    private byte[]? _kek;

    /// <summary>The key-encryption key file.</summary>
    public string Path { get; } = System.IO.Path.Combine(directory, "storage.kek");

    /// <inheritdoc />
    public byte[] Wrap(ReadOnlySpan<byte> dataKey)
    {
        var wrapped = new byte[NonceSize + dataKey.Length + TagSize];
        RandomNumberGenerator.Fill(wrapped.AsSpan(0, NonceSize));
        using var aes = new AesGcm(Key(), TagSize);
        aes.Encrypt(wrapped.AsSpan(0, NonceSize), dataKey, wrapped.AsSpan(NonceSize, dataKey.Length), wrapped.AsSpan(NonceSize + dataKey.Length));
        return wrapped;
    }

    /// <inheritdoc />
    public byte[] Unwrap(ReadOnlySpan<byte> wrapped)
    {
        if (wrapped.Length <= NonceSize + TagSize)
        {
            throw new CryptographicException("the wrapped key is too short");
        }

        var key = new byte[wrapped.Length - NonceSize - TagSize];
        using var aes = new AesGcm(Key(), TagSize);
        aes.Decrypt(wrapped[..NonceSize], wrapped.Slice(NonceSize, key.Length), wrapped[^TagSize..], key);
        return key;
    }

    private byte[] Key()
    {
        lock (_gate)
        {
            if (_kek is not null)
            {
                return _kek;
            }

            if (File.Exists(Path))
            {
                if (PrivateFile.IsTooOpen(Path))
                {
                    throw new InvalidOperationException($"The storage key {Path} is readable by other users; chmod 600 it.");
                }

                _kek = File.ReadAllBytes(Path);
                if (_kek.Length != 32)
                {
                    throw new InvalidOperationException($"The storage key {Path} is not a 32-byte AES-256 key.");
                }
            }
            else
            {
                Directory.CreateDirectory(directory);
                _kek = RandomNumberGenerator.GetBytes(32);
                PrivateFile.WriteAllBytes(Path, _kek);
            }

            return _kek;
        }
    }
}
