using EdgeGateway.Hosting;

namespace EdgeGateway;

/// <summary>Process entry point of the gateway.</summary>
internal static class Program
{
    public static Task<int> Main(string[] args) => GatewayProgram.RunAsync(args);
}
