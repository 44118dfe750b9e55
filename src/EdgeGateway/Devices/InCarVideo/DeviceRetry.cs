using System.ComponentModel;
using Microsoft.Extensions.Logging;

namespace EdgeGateway.Devices.InCarVideo;

/// <summary>
/// Keeps a harness part running through hardware faults: a bus that cannot be opened, a sensor that is not
/// fitted or stops answering. The fault is counted and logged, and the part is opened again after
/// <see cref="InCarVideoOptions.ReopenDelay"/>; it never stops the gateway (GNSS and the uplink keep running).
/// </summary>
internal static class DeviceRetry
{
    public static async Task RunAsync(string part, Func<CancellationToken, Task> runAsync, InCarVideoCounters counters, TimeSpan reopenDelay, TimeProvider time, ILogger logger, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await runAsync(cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (Exception e) when (IsHardwareFault(e) && !cancellationToken.IsCancellationRequested)
            {
                counters.SensorFault();
                Log.PartFailed(logger, part, reopenDelay, e.Message);
            }

            await Task.Delay(reopenDelay, time, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>What the GPIO and I2C layers throw for missing or misbehaving hardware (not programming errors).</summary>
    private static bool IsHardwareFault(Exception e) =>
        e is IOException or UnauthorizedAccessException or PlatformNotSupportedException or Win32Exception or InvalidOperationException or ArgumentException;
}
