using FleetControl.Evidence;

namespace FleetControl.Hosting;

/// <summary>
/// Entry point: operator commands (e.g. <c>evidence verify ID</c>) run and exit; anything else runs
/// the FleetControl server.
/// </summary>
internal static class FleetControlProgram
{
    public static async Task<int> RunAsync(string[] args)
    {
        if (args is ["evidence", "verify", .. var verifyArgs])
        {
            return await EvidenceVerifyCommand.RunAsync(verifyArgs, Console.Out, Console.Error, CancellationToken.None).ConfigureAwait(false);
        }

        var app = FleetControlHost.CreateBuilder(args).Build();
        FleetControlHost.Map(app);
        await app.RunAsync().ConfigureAwait(false);
        return 0;
    }
}
