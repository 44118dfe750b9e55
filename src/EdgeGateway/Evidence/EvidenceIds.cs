using System.Security.Cryptography;
using System.Text;
using EdgeGateway.Devices.Bwv;

namespace EdgeGateway.Evidence;

/// <summary>
/// Evidence ids are derived from what identifies a recording on its camera (serial, file name,
/// size), so a camera pulled out mid-copy and re-docked resumes the same item, and a repeated
/// upload hits the same vault record.
/// </summary>
internal static class EvidenceIds
{
    public static string For(string cameraSerial, string fileName, long size)
    {
        var key = $"{cameraSerial}\n{fileName}\n{size}";
        return "ev-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)).AsSpan(0, 16));
    }

    public static string For(DockedRecording recording) => For(recording.Camera.Serial, recording.FileName, recording.Size);
}
