namespace EdgeGateway.Devices.InCarVideo.Recording;

/// <summary>One in-car camera: a stream ffmpeg records without transcoding.</summary>
public sealed class CameraOptions
{
    /// <summary>Its name in the vehicle (e.g. <c>front</c>, <c>rear</c>, <c>cabin</c>); names its ring folder and its clips.</summary>
    public string Name { get; set; } = string.Empty;

    /// <summary>The stream: <c>rtsp://...</c> on real cameras, <c>udp://127.0.0.1:5600?timeout=5000000</c> for the simulator.</summary>
    public string Url { get; set; } = string.Empty;

    /// <summary>Extra ffmpeg input options, space-separated, before <c>-i</c> (e.g. <c>-rtsp_transport tcp</c>).</summary>
    public string InputOptions { get; set; } = string.Empty;
}
