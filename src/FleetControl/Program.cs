using FleetControl.Hosting;

namespace FleetControl;

/// <summary>Process entry point of FleetControl.</summary>
internal static class Program
{
    public static Task<int> Main(string[] args) => FleetControlProgram.RunAsync(args);
}
