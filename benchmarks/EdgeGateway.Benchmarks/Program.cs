using BenchmarkDotNet.Running;

namespace EdgeGateway.Benchmarks;

/// <summary>dotnet run -c Release --project benchmarks/EdgeGateway.Benchmarks -- --filter '*'</summary>
internal static class Program
{
    public static int Main(string[] args)
    {
        if (args is ["evidence", .. var evidenceArgs])
        {
            return Evidence.EvidenceHarness.RunAsync(evidenceArgs).GetAwaiter().GetResult();
        }

        if (args is ["dock-scan", .. var scanArgs])
        {
            return Evidence.DockScanHarness.RunAsync(scanArgs).GetAwaiter().GetResult();
        }

        if (args is ["evidence-search", .. var searchArgs])
        {
            return Search.EvidenceSearchHarness.RunAsync(searchArgs).GetAwaiter().GetResult();
        }

        if (args is ["load", .. var loadArgs])
        {
            return Load.LoadHarness.RunAsync(loadArgs).GetAwaiter().GetResult();
        }

        if (args is ["outbox", .. var outboxArgs])
        {
            return Outbox.OutboxHarness.RunAsync(outboxArgs).GetAwaiter().GetResult();
        }

        if (args is ["fleetstore", .. var fleetArgs])
        {
            return FleetStore.FleetStoreHarness.RunAsync(fleetArgs).GetAwaiter().GetResult();
        }

        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
        return 0;
    }
}
