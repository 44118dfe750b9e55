using System.Security.Cryptography;
using Microsoft.Win32.SafeHandles;

namespace EdgeGateway.Devices.Bwv;

/// <summary>
/// A cheap content fingerprint of a recording: SHA-256 of its first and last <see cref="WindowBytes"/>
/// (the whole file when smaller). Two recordings that share a name and a size (a camera numbering
/// from 1 again after a wipe, fixed-bitrate files) almost never share both ends; together with the
/// modification time it tells them apart without reading the whole file off the camera.
/// </summary>
internal static class RecordingFingerprint
{
    /// <summary>Bytes read from each end.</summary>
    public const int WindowBytes = 32 * 1024;

    /// <summary>Computes the fingerprint; throws IOException/UnauthorizedAccessException when the file cannot be read.</summary>
    public static string Compute(string path, long size)
    {
        using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[WindowBytes];
        var head = (int)Math.Min(size, WindowBytes);
        Append(handle, hash, buffer, 0, head);
        if (size > WindowBytes)
        {
            var tailStart = Math.Max(head, size - WindowBytes);
            Append(handle, hash, buffer, tailStart, (int)(size - tailStart));
        }

        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    private static void Append(SafeFileHandle handle, IncrementalHash hash, byte[] buffer, long offset, int count)
    {
        var done = 0;
        while (done < count)
        {
            var n = RandomAccess.Read(handle, buffer.AsSpan(done, count - done), offset + done);
            if (n == 0)
            {
                throw new IOException($"ended at {offset + done} bytes while fingerprinting");
            }

            done += n;
        }

        hash.AppendData(buffer, 0, count);
    }
}
