using Microsoft.Extensions.Logging;

namespace EdgeGateway.Simulators.Cli;

/// <summary>Console logging for simulator commands: everything to stderr, so stdout stays machine-readable.</summary>
internal static class SimulatorLogging
{
    /// <summary>Creates the logger factory a command uses; the caller disposes it.</summary>
    public static ILoggerFactory CreateFactory(LogLevel minimum = LogLevel.Information) =>
        LoggerFactory.Create(builder =>
        {
            builder.SetMinimumLevel(minimum);
            builder.AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
            builder.AddSimpleConsole(o =>
            {
                o.SingleLine = true;
                o.TimestampFormat = "HH:mm:ss.fff ";
                o.UseUtcTimestamp = true;
            });
        });
}
