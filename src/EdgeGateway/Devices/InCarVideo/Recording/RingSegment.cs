namespace EdgeGateway.Devices.InCarVideo.Recording;

/// <summary>A closed ring segment: hashed as it closed.</summary>
/// <param name="Camera">The camera that recorded it.</param>
/// <param name="Path">Its file in the ring.</param>
/// <param name="Start">When ffmpeg opened it (from its name).</param>
/// <param name="End">When ffmpeg last wrote it.</param>
/// <param name="Sha256">Lowercase hex SHA-256 of its bytes.</param>
/// <param name="Bytes">Its size.</param>
internal sealed record RingSegment(string Camera, string Path, DateTimeOffset Start, DateTimeOffset End, string Sha256, long Bytes)
{
    /// <summary>The file name, e.g. <c>seg-1796119278-000002.ts</c>.</summary>
    public string Name => System.IO.Path.GetFileName(Path);
}
