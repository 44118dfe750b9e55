using System.Security.Cryptography;
using EdgeGateway.Contracts.Security;

namespace EdgeGateway.Security;

/// <summary>
/// The device key as a PKCS#8 PEM file (<c>device.key</c>), mode 0600, written atomically. A key file
/// that others can read is refused rather than used: it may have been copied.
/// </summary>
internal sealed class FileDeviceKeyStore(string directory) : IDeviceKeyStore
{
    private readonly Lock _gate = new();
    private ECDsa? _key;

    /// <summary>The key file.</summary>
    public string Path { get; } = System.IO.Path.Combine(directory, "device.key");

    /// <inheritdoc />
    public string Description => $"file {Path} (mode 0600)";

    /// <inheritdoc />
    public byte[] SignHash(byte[] sha256) => GetOrCreateKey().SignHash(sha256);

    /// <inheritdoc />
    public ECDsa GetOrCreateKey()
    {
        lock (_gate)
        {
            if (_key is not null)
            {
                return _key;
            }

            var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            if (File.Exists(Path))
            {
                if (PrivateFile.IsTooOpen(Path))
                {
                    throw new InvalidOperationException($"The device key {Path} is readable by other users; chmod 600 it (or delete it and re-enrol).");
                }

                key.ImportFromPem(File.ReadAllText(Path));
            }
            else
            {
                PrivateFile.WriteAllText(Path, key.ExportPkcs8PrivateKeyPem());
            }

            _key = key;
            return key;
        }
    }
}
