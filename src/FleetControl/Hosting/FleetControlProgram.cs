namespace FleetControl.Hosting;

/// <summary>
/// Entry point: operator commands (e.g. <c>evidence verify ID</c>) run and exit; anything else runs
/// the FleetControl server.
/// </summary>
internal static class FleetControlProgram
{
    public static async Task<int> RunAsync(string[] args)
    {
        var app = FleetControlHost.CreateBuilder(args).Build();
        FleetControlHost.Map(app);
        await app.RunAsync().ConfigureAwait(false);
        return 0;
    }
}
