using EdgeGateway.Cli;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace EdgeGateway.Hosting;

/// <summary>
/// Entry point: the command line (<see cref="CliApplication"/>) picks a verb; engineer commands (<c>health</c>,
/// <c>nmea decode FILE</c>, ...) run and exit, <c>run</c> (the default) runs the gateway service until it is stopped
/// (SIGTERM / Ctrl+C) or a fatal error stops it.
/// </summary>
internal static class GatewayProgram
{
    /// <summary>The program's name in help and error messages.</summary>
    public const string Name = "EdgeGateway";

    public static Task<int> RunAsync(string[] args) =>
        CreateCommandLine().RunAsync(args, Console.In, Console.Out, Console.Error, CancellationToken.None);

    /// <summary>The command line: every <see cref="CliVerb"/> of this assembly, <c>run</c> by default.</summary>
    public static CliApplication CreateCommandLine() =>
        new(Name, "EdgeGateway: the headless gateway of a patrol vehicle or a body-worn-video dock", CliApplication.DiscoverVerbs(typeof(GatewayProgram).Assembly));

    /// <summary>Runs the service with <paramref name="args"/> as configuration overrides until it is stopped.</summary>
    public static async Task<int> RunServiceAsync(string[] args, TextWriter error)
    {
        try
        {
            using var host = GatewayHost.CreateBuilder(args).Build();
            var dataDirectory = host.Services.GetRequiredService<IOptions<GatewayOptions>>().Value.DataDirectory;
            using var claim = DataDirectoryLock.TryAcquire(dataDirectory);
            if (claim is null)
            {
                await error.WriteLineAsync(
                    $"EdgeGateway: another gateway is already running on {Path.GetFullPath(dataDirectory)} (Gateway:DataDirectory); stop it or give this one its own directory.").ConfigureAwait(false);
                return ExitDataDirectoryInUse;
            }

            foreach (var check in host.Services.GetServices<IStartupCheck>())
            {
                check.Check(); // a port in use: one line naming the setting, not a stack trace from the host
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
            await error.WriteLineAsync($"EdgeGateway: invalid configuration: {reason}").ConfigureAwait(false);
            return ExitBadConfiguration;
        }
    }

    /// <summary>EX_TEMPFAIL from sysexits.h: the data directory is held by another gateway.</summary>
    public const int ExitDataDirectoryInUse = CliExit.TempFail;

    /// <summary>EX_CONFIG from sysexits.h.</summary>
    public const int ExitBadConfiguration = CliExit.Config;

    private static bool IsConfigurationError(Exception e) =>
        e is OptionsValidationException
        || (e is InvalidOperationException && e.Message.StartsWith("Failed to convert configuration value", StringComparison.Ordinal));
}
