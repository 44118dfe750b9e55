using BenchmarkDotNet.Running;

namespace EdgeGateway.Benchmarks;

/// <summary>dotnet run -c Release --project benchmarks/EdgeGateway.Benchmarks -- --filter '*'</summary>
internal static class Program
{
    public static void Main(string[] args) => BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
}
