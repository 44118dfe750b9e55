using Microsoft.Extensions.Logging;

namespace EdgeGateway.Devices.InCarVideo;

/// <summary>In-car video log messages (event ids 1500-1599).</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 1500, Level = LogLevel.Information, Message = "Trigger {Source} {State}: {Detail}")]
    public static partial void Trigger(ILogger logger, string source, TriggerState state, string detail);

    [LoggerMessage(EventId = 1501, Level = LogLevel.Warning, Message = "Trigger {Source} {State} not stored: {Result}")]
    public static partial void TriggerRefused(ILogger logger, string source, TriggerState state, Core.EnqueueResult result);

    [LoggerMessage(EventId = 1502, Level = LogLevel.Error, Message = "Trigger {Source}: {Listener} failed")]
    public static partial void ListenerFailed(ILogger logger, string source, string listener, Exception exception);

    [LoggerMessage(EventId = 1503, Level = LogLevel.Information, Message = "Watching {Count} discrete input(s) on {Controller} ({Detection}, debounce {Debounce})")]
    public static partial void InputsStarted(ILogger logger, int count, string controller, string detection, TimeSpan debounce);

    [LoggerMessage(EventId = 1504, Level = LogLevel.Warning, Message = "Input {Source} (pin {Pin}) could not be read: {Reason}")]
    public static partial void InputReadFailed(ILogger logger, string source, int pin, string reason);

    [LoggerMessage(EventId = 1505, Level = LogLevel.Information, Message = "Accelerometer MPU6050 on bus {Bus} address {Address}: crash at {ThresholdG} g, sampled every {Interval}")]
    public static partial void AccelerometerStarted(ILogger logger, int bus, int address, double thresholdG, TimeSpan interval);

    [LoggerMessage(EventId = 1506, Level = LogLevel.Warning, Message = "The {Sensor} could not be read: {Reason}; retried at every sample, logged again after it recovers")]
    public static partial void SensorReadFailed(ILogger logger, string sensor, string reason);

    [LoggerMessage(EventId = 1507, Level = LogLevel.Information, Message = "Simulated vehicle harness: scenario step at {Offset}: {Step}")]
    public static partial void ScenarioStep(ILogger logger, TimeSpan offset, string step);

    [LoggerMessage(EventId = 1508, Level = LogLevel.Error, Message = "In-car video {Part} failed: {Reason}; opened again in {Delay}")]
    public static partial void PartFailed(ILogger logger, string part, TimeSpan delay, string reason);
}
