namespace FleetControl.Identity;

/// <summary>Identity and transport security log messages (event ids 5600-5699).</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 5600, Level = LogLevel.Information, Message = "Device CA created: {Path} (thumbprint {Thumbprint}); its key is beside it, mode 0600")]
    public static partial void RootCreated(ILogger logger, string path, string thumbprint);

    [LoggerMessage(EventId = 5601, Level = LogLevel.Information, Message = "Device CA ({Origin}) loaded from {Path} (thumbprint {Thumbprint})")]
    public static partial void RootLoaded(ILogger logger, string origin, string path, string thumbprint);

    [LoggerMessage(EventId = 5602, Level = LogLevel.Information, Message = "Enrolled {DeviceId} from {Peer}")]
    public static partial void Enrolled(ILogger logger, string deviceId, string peer);

    [LoggerMessage(EventId = 5603, Level = LogLevel.Warning, Message = "Refused enrolment of {DeviceId} from {Peer}: {Reason}")]
    public static partial void EnrolmentRefused(ILogger logger, string deviceId, string peer, string reason);

    [LoggerMessage(EventId = 5604, Level = LogLevel.Information, Message = "Renewed the certificate of {DeviceId} ({Peer})")]
    public static partial void Renewed(ILogger logger, string deviceId, string peer);

    [LoggerMessage(EventId = 5605, Level = LogLevel.Warning, Message = "Refused gRPC call {Method} from {Peer}: {Reason}")]
    public static partial void CallRefused(ILogger logger, string method, string peer, string reason);

    [LoggerMessage(EventId = 5606, Level = LogLevel.Warning, Message = "Aborted gRPC call {Path} of revoked device {DeviceId}")]
    public static partial void CallAborted(ILogger logger, string deviceId, string path);

    [LoggerMessage(EventId = 5607, Level = LogLevel.Information, Message = "Enrolment token issued for {DeviceId}, valid until {ExpiresAt:o}")]
    public static partial void TokenIssued(ILogger logger, string deviceId, DateTimeOffset expiresAt);

    [LoggerMessage(EventId = 5608, Level = LogLevel.Warning, Message = "Revoked {DeviceId}: {Count} certificate(s); its sessions are being dropped")]
    public static partial void Revoked(ILogger logger, string deviceId, int count);

    [LoggerMessage(EventId = 5609, Level = LogLevel.Warning, Message = "DEVELOPMENT OVERRIDE Identity:DevelopmentPlaintext is on: MQTT and gRPC run WITHOUT TLS and devices are identified by the client id they claim. Never use this in production.")]
    public static partial void DevelopmentPlaintext(ILogger logger);

    [LoggerMessage(EventId = 5610, Level = LogLevel.Information, Message = "Mutual TLS on: gRPC and MQTT require a certificate issued by the device CA {Path}")]
    public static partial void TlsOn(ILogger logger, string path);

    [LoggerMessage(EventId = 5611, Level = LogLevel.Information, Message = "Revocation list {Path} written; broker reload requested with '{Command}'")]
    public static partial void BrokerReloaded(ILogger logger, string command, string path);

    [LoggerMessage(EventId = 5612, Level = LogLevel.Error, Message = "The broker reload command '{Command}' failed ({Reason}): the external broker refuses the revoked certificate only after it reloads or restarts")]
    public static partial void BrokerReloadFailed(ILogger logger, string command, string reason);

    [LoggerMessage(EventId = 5613, Level = LogLevel.Information, Message = "The external broker closed the open connection of revoked {DeviceId} (dynamic security disableClient)")]
    public static partial void BrokerDisconnected(ILogger logger, string deviceId);

    [LoggerMessage(EventId = 5614, Level = LogLevel.Error, Message = "The external broker did not close the open connection of revoked {DeviceId} ({Reason}): it stays connected until it disconnects by itself; load mosquitto's dynamic security plugin and allow $CONTROL/dynamic-security/# to the ingest identity (deploy/mosquitto), or set Identity:BrokerDynamicSecurity=false")]
    public static partial void BrokerDisconnectFailed(ILogger logger, string deviceId, string reason);

    [LoggerMessage(EventId = 5615, Level = LogLevel.Warning, Message = "Imported {Count} devices' enrolment state from {Path} into the shared database; the file is kept as devices.json.imported")]
    public static partial void RegistryImported(ILogger logger, int count, string path);
}
