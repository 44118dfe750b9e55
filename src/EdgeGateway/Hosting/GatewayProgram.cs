using EdgeGateway.Devices.Gnss;

namespace EdgeGateway.Hosting;

/// <summary>
/// Entry point: engineer commands (<c>nmea decode FILE</c>) run and exit; anything else runs the
/// gateway service until it is stopped (SIGTERM / Ctrl+C) or a fatal error stops it.
/// </summary>
internal static class GatewayProgram
{
    public static async Task<int> RunAsync(string[] args)
    {
        if (args is ["nmea", "decode", .. var rest])
        {
            return await NmeaDecodeCommand.RunAsync(rest, Console.Out, Console.Error, CancellationToken.None).ConfigureAwait(false);
        }

        if (args is ["health", .. var healthArgs])
        {
            return await Health.HealthCommand.RunAsync(healthArgs, Console.Out, Console.Error, CancellationToken.None).ConfigureAwait(false);
        }

        using var host = GatewayHost.CreateBuilder(args).Build();
        await host.RunAsync().ConfigureAwait(false);
        return Environment.ExitCode;
    }
}
