using System.Text;

namespace EdgeGateway.Contracts.Security;

/// <summary>
/// Writes secrets (private keys, token files, identity state) so that only the service's own user can
/// read them: created with mode 0600, written to a temporary file, fsynced, then renamed over the target,
/// so a power cut leaves either the old or the new content, never half of one.
/// </summary>
public static class PrivateFile
{
    /// <summary>Mode 0600: read and write for the owner only.</summary>
    public const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>Mode 0644: public data such as a certificate or a revocation list.</summary>
    public const UnixFileMode Public = OwnerOnly | UnixFileMode.GroupRead | UnixFileMode.OtherRead;

    /// <summary>Atomically replaces <paramref name="path"/> with <paramref name="text"/> (UTF-8), mode 0600.</summary>
    public static void WriteAllText(string path, string text) => WriteAllBytes(path, Encoding.UTF8.GetBytes(text));

    /// <summary>Atomically replaces <paramref name="path"/> with public <paramref name="text"/> (UTF-8), mode 0644.</summary>
    public static void WritePublicText(string path, string text) => WriteAllBytes(path, Encoding.UTF8.GetBytes(text), Public);

    /// <summary>Atomically replaces <paramref name="path"/> with <paramref name="bytes"/>, mode 0600.</summary>
    public static void WriteAllBytes(string path, ReadOnlySpan<byte> bytes) => WriteAllBytes(path, bytes, OwnerOnly);

    private static void WriteAllBytes(string path, ReadOnlySpan<byte> bytes, UnixFileMode mode)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(directory);
        var temporary = path + ".tmp";
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = mode;
        }

        using (var stream = new FileStream(temporary, options))
        {
            stream.Write(bytes);
            stream.Flush(flushToDisk: true);
        }

        if (!OperatingSystem.IsWindows())
        {
            // UnixCreateMode is masked by the umask and does not apply to an existing file; set it outright.
            File.SetUnixFileMode(temporary, mode);
        }

        File.Move(temporary, path, overwrite: true);
    }

    /// <summary>True when <paramref name="path"/> can be read or written by anyone but its owner.</summary>
    public static bool IsTooOpen(string path) =>
        !OperatingSystem.IsWindows() && (File.GetUnixFileMode(path) & ~(OwnerOnly | UnixFileMode.UserExecute)) != 0;
}
