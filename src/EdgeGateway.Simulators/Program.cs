namespace EdgeGateway.Simulators;

/// <summary>Simulator CLI entry point; see README.md for the commands.</summary>
internal static class Program
{
    public static int Main(string[] args)
    {
        if (args is ["dock", .. var dockArgs]) return Dock.DockCommand.RunAsync(dockArgs, Console.Out, Console.Error, CancellationToken.None).GetAwaiter().GetResult();
        Console.Error.WriteLine("usage: EdgeGateway.Simulators <command> [options]");
        return 2;
    }
}
