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

    public static async Task<int> RunAsync(string[] args)
    {
        if (args is ["evidence", "verify", .. var verifyArgs])
        {
            return await EvidenceVerifyCommand.RunAsync(verifyArgs, Console.Out, Console.Error, CancellationToken.None).ConfigureAwait(false);
        }

        try
        {
            await using var app = FleetControlHost.CreateBuilder(args).Build();
            FleetControlHost.Map(app);
            await app.RunAsync().ConfigureAwait(false);
            return Environment.ExitCode;
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
