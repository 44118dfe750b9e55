namespace FleetControl.Diagnostics;

/// <summary>Diagnostics log messages (event ids 3900-3919).</summary>
internal static partial class Log
{
    [LoggerMessage(3900, LogLevel.Information, "Diagnostics bundle {BundleId} of {DeviceId} stored: {Size} bytes, sha256 {Sha256}")]
    public static partial void BundleStored(ILogger logger, string deviceId, string bundleId, long size, string sha256);

    [LoggerMessage(3901, LogLevel.Warning, "Diagnostics bundle {BundleId} of {DeviceId} refused: {Size} bytes is over the limit of {Max}")]
    public static partial void BundleTooLarge(ILogger logger, string deviceId, string bundleId, long size, long max);
}
