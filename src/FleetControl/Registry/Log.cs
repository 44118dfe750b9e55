namespace FleetControl.Registry;

/// <summary>Device registry log messages (event ids 5200-5299).</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 5200, Level = LogLevel.Information, Message = "Registered device {DeviceId} (role {Role}, version {SoftwareVersion}, host {Hostname}) from {Peer}")]
    public static partial void Registered(ILogger logger, string deviceId, string role, string softwareVersion, string hostname, string peer);

    [LoggerMessage(EventId = 5201, Level = LogLevel.Warning, Message = "Refused registration of invalid device id '{DeviceId}' from {Peer}")]
    public static partial void RegistrationRefused(ILogger logger, string deviceId, string peer);
}
