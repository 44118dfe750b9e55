using EdgeGateway.Cli;
using Microsoft.Extensions.Options;

namespace FleetControl.Hosting;

/// <summary>
/// Entry point: the command line (<see cref="CliApplication"/>) picks a verb; operator commands (e.g.
/// <c>evidence verify ID</c>, <c>accounts add NAME</c>) run and exit, <c>run</c> (the default) runs the server.
/// </summary>
internal static class FleetControlProgram
{
    /// <summary>EX_CONFIG from sysexits.h: systemd can be told not to restart on it (RestartPreventExitStatus=78).</summary>
    public const int ExitBadConfiguration = CliExit.Config;

    /// <summary>EX_SOFTWARE from sysexits.h: a fatal internal error stopped the service.</summary>
    public const int ExitFatalError = CliExit.Software;

    /// <summary>The program's name in help and error messages.</summary>
    public const string Name = "FleetControl";

    public static Task<int> RunAsync(string[] args) =>
        CreateCommandLine().RunAsync(args, Console.In, Console.Out, Console.Error, CancellationToken.None);

    /// <summary>The command line: every <see cref="CliVerb"/> of this assembly, <c>run</c> by default.</summary>
    public static CliApplication CreateCommandLine() =>
        new(Name, "FleetControl: the fleet's back end (MQTT ingest, evidence vault, REST API, web console)", CliApplication.DiscoverVerbs(typeof(FleetControlProgram).Assembly));

    /// <summary>Runs the server with <paramref name="args"/> as configuration overrides until it is stopped.</summary>
    public static async Task<int> RunServerAsync(string[] args, TextWriter error)
    {
        try
        {
            await using var app = FleetControlHost.CreateBuilder(args).Build();
            FleetControlHost.Map(app);
            await app.StartAsync().ConfigureAwait(false);
            await app.WaitForShutdownAsync().ConfigureAwait(false);

            // A background service that died stops the host; exit non-zero (EX_SOFTWARE) so systemd restarts it.
            return app.Services.GetServices<IHostedService>().OfType<BackgroundService>().Any(s => s.ExecuteTask is { IsFaulted: true })
                ? ExitFatalError
                : Environment.ExitCode;
        }
        catch (OptionsValidationException ex)
        {
            await error.WriteLineAsync($"FleetControl: invalid configuration: {string.Join(" ", ex.Failures)}").ConfigureAwait(false);
            return ExitBadConfiguration;
        }
        catch (InvalidOperationException ex) when (ex.Message.Contains("configuration", StringComparison.OrdinalIgnoreCase))
        {
            await error.WriteLineAsync($"FleetControl: invalid configuration: {ex.Message}").ConfigureAwait(false);
            return ExitBadConfiguration;
        }
    }
}
