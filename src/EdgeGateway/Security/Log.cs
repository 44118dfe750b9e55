using Microsoft.Extensions.Logging;

namespace EdgeGateway.Security;

/// <summary>Identity and transport security log messages (event ids 2600-2699).</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 2600, Level = LogLevel.Warning, Message = "DEVELOPMENT OVERRIDE Security:DevelopmentPlaintext is on: MQTT and gRPC run WITHOUT TLS and without a device certificate. Never use this in production.")]
    public static partial void DevelopmentPlaintext(ILogger logger);

    [LoggerMessage(EventId = 2601, Level = LogLevel.Information, Message = "Device certificate for {DeviceId} loaded (serial {Serial}, valid until {NotAfter:o}); key in {KeyStore}")]
    public static partial void CertificateLoaded(ILogger logger, string deviceId, string serial, DateTimeOffset notAfter, string keyStore);

    [LoggerMessage(EventId = 2602, Level = LogLevel.Information, Message = "Enrolling {DeviceId} with FleetControl at {Url} (key in {KeyStore})")]
    public static partial void Enrolling(ILogger logger, string deviceId, string url, string keyStore);

    [LoggerMessage(EventId = 2603, Level = LogLevel.Information, Message = "Enrolled: certificate serial {Serial}, valid until {NotAfter:o}")]
    public static partial void Enrolled(ILogger logger, string serial, DateTimeOffset notAfter);

    [LoggerMessage(EventId = 2604, Level = LogLevel.Error, Message = "Not enrolled: {Reason}; the gateway keeps buffering and tries again in {Retry}")]
    public static partial void EnrolmentFailed(ILogger logger, string reason, TimeSpan retry);

    [LoggerMessage(EventId = 2605, Level = LogLevel.Information, Message = "Certificate renewed: serial {Serial}, valid until {NotAfter:o}")]
    public static partial void Renewed(ILogger logger, string serial, DateTimeOffset notAfter);

    [LoggerMessage(EventId = 2606, Level = LogLevel.Warning, Message = "Certificate renewal failed ({Reason}); current one valid until {NotAfter:o}, next try in {Retry}")]
    public static partial void RenewalFailed(ILogger logger, string reason, DateTimeOffset notAfter, TimeSpan retry);

    [LoggerMessage(EventId = 2607, Level = LogLevel.Information, Message = "Next certificate renewal at {RenewAt:o}")]
    public static partial void RenewalScheduled(ILogger logger, DateTimeOffset renewAt);

    [LoggerMessage(EventId = 2608, Level = LogLevel.Error, Message = "The issued certificate could not be saved to {Path}; it is used from memory and saving is retried every {RetryInterval}")]
    public static partial void CertificateNotSaved(ILogger logger, string path, TimeSpan retryInterval, Exception exception);

    [LoggerMessage(EventId = 2609, Level = LogLevel.Information, Message = "The issued certificate is now saved to {Path}")]
    public static partial void CertificateSaved(ILogger logger, string path);
}
