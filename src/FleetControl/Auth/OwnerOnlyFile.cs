namespace FleetControl.Auth;

/// <summary>Opens files that hold secrets' hashes or the audit trail so that only the service's user can read them (0600 when created).</summary>
internal static class OwnerOnlyFile
{
    public static FileStream Open(string path, FileMode mode, FileAccess access, FileShare share = FileShare.Read)
    {
        var options = new FileStreamOptions { Mode = mode, Access = access, Share = share };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        return new FileStream(path, options);
    }
}
