using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using EdgeGateway.Devices.Bwv;

namespace EdgeGateway.Evidence;

/// <summary>
/// Evidence ids are derived from what identifies one recording on its camera: serial, file name,
/// size, modification time and a content fingerprint (both ends of the file). A camera pulled out
/// mid-copy and re-docked, or a restarted dock, finds the same item; a new recording that reuses a
/// file name and size after a wipe (cameras number from 1 again; fixed bitrates make sizes equal) is
/// a new item. The fields are length-prefixed, so no field content can shift another.
/// </summary>
internal static class EvidenceIds
{
    public static string For(string cameraSerial, string fileName, long size, DateTimeOffset modifiedUtc, string fingerprint)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Span<byte> length = stackalloc byte[4];
        foreach (var field in (ReadOnlySpan<string>)[
            "ev2", cameraSerial, fileName, size.ToString(CultureInfo.InvariantCulture),
            modifiedUtc.UtcTicks.ToString(CultureInfo.InvariantCulture), fingerprint])
        {
            var bytes = Encoding.UTF8.GetBytes(field);
            BinaryPrimitives.WriteInt32BigEndian(length, bytes.Length);
            hash.AppendData(length);
            hash.AppendData(bytes);
        }

        return "ev-" + Convert.ToHexStringLower(hash.GetHashAndReset().AsSpan(0, 16));
    }

    public static string For(DockedRecording recording) =>
        For(recording.Camera.Serial, recording.FileName, recording.Size, recording.ModifiedUtc, recording.Fingerprint);

    /// <summary>The id of a recording file as it is now (tests, tools).</summary>
    public static string ForFile(string cameraSerial, string path)
    {
        var info = new FileInfo(path);
        return For(cameraSerial, info.Name, info.Length, new DateTimeOffset(info.LastWriteTimeUtc, TimeSpan.Zero), RecordingFingerprint.Compute(path, info.Length));
    }
}
