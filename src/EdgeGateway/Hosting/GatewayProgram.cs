using EdgeGateway.Devices.Gnss;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace EdgeGateway.Hosting;

/// <summary>
/// Entry point: engineer commands (<c>nmea decode FILE</c>, <c>at decode FILE</c>) run and exit; anything else runs the
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

        if (args is ["at", "decode", .. var atArgs])
        {
            return await Devices.Modem.AtDecodeCommand.RunAsync(atArgs, Console.Out, Console.Error, CancellationToken.None).ConfigureAwait(false);
        }

        if (args is ["anpr", "match", .. var anprArgs])
        {
            return await Devices.Anpr.AnprMatchCommand.RunAsync(anprArgs, Console.Out, Console.Error, CancellationToken.None).ConfigureAwait(false);
        }

        if (args is ["salvage", .. var salvageArgs])
        {
            return await Outbox.Salvage.SalvageCommand.RunAsync(salvageArgs, Console.Out, Console.Error, CancellationToken.None).ConfigureAwait(false);
        }

        if (args is ["health", .. var healthArgs])
        {
            return await Health.HealthCommand.RunAsync(healthArgs, Console.Out, Console.Error, CancellationToken.None).ConfigureAwait(false);
        }

        try
        {
            using var host = GatewayHost.CreateBuilder(args).Build();
            var dataDirectory = host.Services.GetRequiredService<IOptions<GatewayOptions>>().Value.DataDirectory;
            using var claim = DataDirectoryLock.TryAcquire(dataDirectory);
            if (claim is null)
            {
                await Console.Error.WriteLineAsync(
                    $"EdgeGateway: another gateway is already running on {Path.GetFullPath(dataDirectory)} (Gateway:DataDirectory); stop it or give this one its own directory.").ConfigureAwait(false);
                return ExitDataDirectoryInUse;
            }

            await host.StartAsync().ConfigureAwait(false);
            await host.WaitForShutdownAsync().ConfigureAwait(false);
            return HostExit.Code(host.Services);
        }
        catch (Exception e) when (IsConfigurationError(e))
        {
            // One line naming the setting, and an exit code systemd can be told not to restart on
            // (RestartPreventExitStatus=78): a bad configuration does not get better by crash-looping.
            var reason = e is OptionsValidationException validation ? string.Join(" ", validation.Failures) : e.Message;
            await Console.Error.WriteLineAsync($"EdgeGateway: invalid configuration: {reason}").ConfigureAwait(false);
            return ExitBadConfiguration;
        }
    }

    /// <summary>EX_TEMPFAIL from sysexits.h: the data directory is held by another gateway.</summary>
    public const int ExitDataDirectoryInUse = 75;

    /// <summary>EX_CONFIG from sysexits.h.</summary>
    public const int ExitBadConfiguration = 78;

    private static bool IsConfigurationError(Exception e) =>
        e is OptionsValidationException
        || (e is InvalidOperationException && e.Message.StartsWith("Failed to convert configuration value", StringComparison.Ordinal));
}
