using System.Globalization;
using System.IO.Compression;
using System.Security.Cryptography;
using EdgeGateway.Contracts.Updates;

namespace EdgeGateway.Updates;

/// <summary>
/// Checks a package against its offer and the fleet's signing key, then installs it into the slot not in use
/// and marks it pending: the supervisor starts it, and it must confirm its health before the deadline or
/// it is rolled back. Nothing is installed unless every check passes.
/// </summary>
internal static class UpdateInstaller
{
    /// <summary>Loads the fleet signing key's public key (PEM: a public key, a certificate or the key pair).</summary>
    public static ECDsa LoadTrustedKey(string file)
    {
        if (string.IsNullOrEmpty(file))
        {
            throw new UpdateRefusedException("no fleet signing key is configured (Updates:TrustedKeyFile): updates are refused.");
        }

        var key = ECDsa.Create();
        try
        {
            key.ImportFromPem(File.ReadAllText(file));
            return key;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or CryptographicException)
        {
            key.Dispose();
            throw new UpdateRefusedException($"the fleet signing key {file} (Updates:TrustedKeyFile) cannot be read: {e.Message}");
        }
    }

    /// <summary>Throws <see cref="UpdateRefusedException"/> unless the package is the one the offer describes and the fleet key signed it.</summary>
    public static void Verify(UpdateOffer offer, string packagePath, ECDsa trustedKey)
    {
        var trustedId = UpdateSignature.KeyIdOf(trustedKey);
        if (!string.Equals(offer.KeyId, trustedId, StringComparison.OrdinalIgnoreCase))
        {
            throw new UpdateRefusedException(
                $"update {offer.Version} is signed by key {Short(offer.KeyId)}, not by the fleet signing key {Short(trustedId)} (Updates:TrustedKeyFile): refused, nothing installed.");
        }

        byte[] digest;
        long size;
        using (var stream = File.OpenRead(packagePath))
        {
            size = stream.Length;
            digest = SHA256.HashData(stream);
        }

        var actual = Convert.ToHexStringLower(digest);
        if (size != offer.Size || !string.Equals(actual, offer.Sha256, StringComparison.OrdinalIgnoreCase))
        {
            throw new UpdateRefusedException(string.Create(CultureInfo.InvariantCulture,
                $"update {offer.Version}: the package's SHA-256 {Short(actual)} ({size} bytes) does not match the offer's {Short(offer.Sha256)} ({offer.Size} bytes): damaged or tampered with, refused, nothing installed."));
        }

        if (!UpdateSignature.Verify(trustedKey, digest, offer.Signature))
        {
            throw new UpdateRefusedException(
                $"update {offer.Version}: the signature does not verify with the fleet signing key {Short(trustedId)} (Updates:TrustedKeyFile): tampered with, refused, nothing installed.");
        }
    }

    /// <summary>Verifies, then installs into the free slot; the first install becomes current at once, a later one pending.</summary>
    public static UpdateState Install(InstallLayout layout, UpdateOffer offer, string packagePath, ECDsa trustedKey, TimeProvider time)
    {
        Verify(offer, packagePath, trustedKey);
        Directory.CreateDirectory(layout.Root);
        var state = layout.ReadState();
        if (state?.Pending is { } pending)
        {
            throw new UpdateRefusedException($"update {pending.Version} is still waiting for its health check; try {offer.Version} once it is committed or rolled back.");
        }

        var slot = state is null ? "A" : InstallLayout.OtherSlot(state.Slot);
        var directory = layout.SlotDirectory(slot);
        var partial = directory + ".partial";
        DeleteDirectory(partial);
        ZipFile.ExtractToDirectory(packagePath, partial); // refuses entries that would land outside the folder
        var manifest = InstallLayout.ReadManifest(partial);
        if (manifest.Version != offer.Version)
        {
            DeleteDirectory(partial);
            throw new UpdateRefusedException($"the package holds version {manifest.Version}, the offer says {offer.Version}: refused, nothing installed.");
        }

        var entry = Path.Combine(partial, manifest.Entry);
        if (!File.Exists(entry))
        {
            DeleteDirectory(partial);
            throw new UpdateRefusedException($"the package has no {manifest.Entry} (its manifest's entry): refused, nothing installed.");
        }

        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(entry, File.GetUnixFileMode(entry) | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
        }

        DeleteDirectory(directory);
        Directory.Move(partial, directory);

        UpdateState next;
        if (state is null)
        {
            next = new UpdateState(offer.Version, slot, LastResult: new UpdateResult(offer.Version, UpdateResult.Committed, "first install", Now(time), Reported: true));
            next.Write(layout.StatePath);
            layout.SwitchTo(slot);
        }
        else
        {
            // State first, then the link: a power cut in between leaves a pending update the supervisor completes.
            next = state with { Pending = new PendingUpdate(offer.Version, slot, state.Version, state.Slot) };
            next.Write(layout.StatePath);
        }

        return next;
    }

    internal static string Now(TimeProvider time) => time.GetUtcNow().ToString("O", CultureInfo.InvariantCulture);

    private static string Short(string hex) => hex.Length > 16 ? hex[..16] + "..." : hex;

    private static void DeleteDirectory(string path)
    {
        if (Directory.Exists(path))
        {
            Directory.Delete(path, recursive: true);
        }
    }
}
