namespace EdgeGateway.Simulators;

/// <summary>Simulator CLI entry point; see README.md for the commands.</summary>
internal static class Program
{
    public static int Main(string[] args)
    {
        Console.Error.WriteLine("usage: EdgeGateway.Simulators <command> [options]");
        return 2;
    }
}
