namespace EdgeGateway.Devices.InCarVideo.Recording;

/// <summary>
/// Where the pre-event ring's plaintext lands: the filesystem under the ring directory, from <c>/proc/self/mountinfo</c>.
/// The ring is written by ffmpeg (<c>-c copy</c>) before the gateway sees it, so it cannot be sealed the way the outbox's
/// payloads are (encrypted before they are written); it is protected at rest only by what it is written to: a tmpfs (RAM:
/// nothing at rest) or an encrypted block device (LUKS through device-mapper). Anything else is reported at start-up.
/// </summary>
internal static class RingAtRest
{
    /// <summary>The mount holding <paramref name="directory"/>: its mount point, filesystem type and source.</summary>
    public static (string MountPoint, string FileSystem, string Source)? MountOf(string directory, string mountInfo = "/proc/self/mountinfo")
    {
        if (!File.Exists(mountInfo))
        {
            return null;
        }

        var full = Path.GetFullPath(directory).TrimEnd('/') + "/";
        (string, string, string)? best = null;
        var bestLength = -1;
        foreach (var line in File.ReadLines(mountInfo))
        {
            // "36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw,errors=continue" (proc(5)).
            var fields = line.Split(' ');
            var dash = Array.IndexOf(fields, "-");
            if (fields.Length < 5 || dash < 0 || dash + 2 >= fields.Length)
            {
                continue;
            }

            var mountPoint = fields[4].Replace("\\040", " ", StringComparison.Ordinal);
            var prefix = mountPoint.TrimEnd('/') + "/";
            if (full.StartsWith(prefix, StringComparison.Ordinal) && prefix.Length >= bestLength)
            {
                best = (mountPoint, fields[dash + 1], fields[dash + 2]);
                bestLength = prefix.Length;
            }
        }

        return best;
    }

    /// <summary>True when the ring's filesystem keeps nothing on disk (tmpfs, ramfs) or sits on device-mapper (LUKS, dm-crypt).</summary>
    public static bool Protected(string fileSystem, string source) =>
        fileSystem is "tmpfs" or "ramfs" || source.StartsWith("/dev/mapper/", StringComparison.Ordinal) || source.StartsWith("/dev/dm-", StringComparison.Ordinal);
}
