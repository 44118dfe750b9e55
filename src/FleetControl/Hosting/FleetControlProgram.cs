using FleetControl.Auth;
using FleetControl.Evidence;
using Microsoft.Extensions.Options;

namespace FleetControl.Hosting;

/// <summary>
/// Entry point: operator commands (e.g. <c>evidence verify ID</c>) run and exit; anything else runs
/// the FleetControl server.
/// </summary>
internal static class FleetControlProgram
{
    /// <summary>EX_CONFIG from sysexits.h: systemd can be told not to restart on it (RestartPreventExitStatus=78).</summary>
    public const int ExitBadConfiguration = 78;

    /// <summary>EX_SOFTWARE from sysexits.h: a fatal internal error stopped the service.</summary>
    public const int ExitFatalError = 70;

    public static async Task<int> RunAsync(string[] args)
    {
        if (args is ["evidence", "verify", .. var verifyArgs])
        {
            return await EvidenceVerifyCommand.RunAsync(verifyArgs, Console.Out, Console.Error, CancellationToken.None).ConfigureAwait(false);
        }

        if (args is [("accounts" or "audit") and var area, .. var accountArgs])
        {
            return await AccountsCommand.RunAsync(area, accountArgs, Console.In, Console.Out, Console.Error, CancellationToken.None).ConfigureAwait(false);
        }

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
            await Console.Error.WriteLineAsync($"FleetControl: invalid configuration: {string.Join(" ", ex.Failures)}").ConfigureAwait(false);
            return ExitBadConfiguration;
        }
        catch (InvalidOperationException ex) when (ex.Message.Contains("configuration", StringComparison.OrdinalIgnoreCase))
        {
            await Console.Error.WriteLineAsync($"FleetControl: invalid configuration: {ex.Message}").ConfigureAwait(false);
            return ExitBadConfiguration;
        }
    }
}
