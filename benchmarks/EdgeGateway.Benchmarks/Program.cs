using BenchmarkDotNet.Running;

namespace EdgeGateway.Benchmarks;

/// <summary>dotnet run -c Release --project benchmarks/EdgeGateway.Benchmarks -- --filter '*'</summary>
internal static class Program
{
    public static int Main(string[] args)
    {
        if (args is ["idle-host", .. var hostArgs])
        {
            return Idle.IdleHostBaseline.Run(hostArgs);
        }

        if (args is ["idle", .. var idleArgs])
        {
            return Idle.IdleHarness.RunAsync(idleArgs).GetAwaiter().GetResult();
        }

        if (args is ["video-ring", .. var videoArgs])
        {
            return Video.VideoRingHarness.RunAsync(videoArgs).GetAwaiter().GetResult();
        }

        if (args is ["video-trigger", .. var triggerArgs])
        {
            return Video.VideoTriggerHarness.RunAsync(triggerArgs).GetAwaiter().GetResult();
        }

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

        if (args is ["security", .. var securityArgs])
        {
            return Security.SecurityHarness.RunAsync(securityArgs).GetAwaiter().GetResult();
        }

        if (args is ["outbox", .. var outboxArgs])
        {
            return Outbox.OutboxHarness.RunAsync(outboxArgs).GetAwaiter().GetResult();
        }

        if (args is ["fleet-acker", .. var ackerArgs])
        {
            return Fleet.BaselineAcker.RunProcessAsync(ackerArgs).GetAwaiter().GetResult();
        }

        if (args is ["fleet", .. var scaleArgs])
        {
            return Fleet.FleetScaleHarness.RunAsync(scaleArgs).GetAwaiter().GetResult();
        }

        if (args is ["fleetstore", .. var fleetArgs])
        {
            return FleetStore.FleetStoreHarness.RunAsync(fleetArgs).GetAwaiter().GetResult();
        }

        if (args is ["anpr-latency", .. var anprArgs])
        {
            return Anpr.HitLatencyHarness.RunAsync(anprArgs).GetAwaiter().GetResult();
        }

        if (args is ["anpr-stored", .. var storedArgs])
        {
            return Anpr.StoredLatencyHarness.RunAsync(storedArgs).GetAwaiter().GetResult();
        }

        if (args is ["anpr-store", .. var anprStoreArgs])
        {
            return Anpr.AnprReadStoreHarness.RunAsync(anprStoreArgs).GetAwaiter().GetResult();
        }

        if (args is ["console", .. var consoleArgs])
        {
            return FleetConsole.ConsoleHarness.RunAsync(consoleArgs).GetAwaiter().GetResult();
        }

        if (args is ["sds", .. var sdsArgs])
        {
            return Modem.SdsHarness.RunAsync(sdsArgs).GetAwaiter().GetResult();
        }

        if (args is ["failover", .. var failoverArgs])
        {
            return Modem.FailoverHarness.RunAsync(failoverArgs).GetAwaiter().GetResult();
        }

        if (args is ["hotlist-memory", .. var hotlistArgs])
        {
            return Anpr.HotlistMemoryHarness.Run(hotlistArgs);
        }

        return RunBenchmarks(args);
    }

    // Apart from Main, so the idle-host baseline process never loads BenchmarkDotNet.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static int RunBenchmarks(string[] args)
    {
        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
        return 0;
    }
}
