using EdgeGateway.Contracts.V1;
using EdgeGateway.Health;
using Microsoft.Extensions.Time.Testing;

namespace EdgeGateway.Tests.Health;

/// <summary><c>health</c>: a readable summary and an exit code scripts and installers can act on.</summary>
public sealed class HealthCommandTests
{
    private static readonly DateTimeOffset Written = new(2026, 11, 30, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task RunAsync_FreshConnectedReport_SummaryAndExit0()
    {
        using var data = new TempDirectory();
        var report = Report(LinkState.Connected, DurabilityState.Ok);
        report.Counters["gnss.fixes"] = 40;
        report.Counters["gnss.last_fix_mode"] = 3;
        report.Counters["gnss.last_fix_satellites"] = 9;
        report.Counters["gnss.last_fix_unix_ms"] = (ulong)Written.AddSeconds(-1).ToUnixTimeMilliseconds();
        report.Counters["uplink.last_connected_unix_seconds"] = (ulong)Written.AddMinutes(-5).ToUnixTimeSeconds();
        await WriteAsync(data.Path, report);
        var output = new StringWriter();
        var error = new StringWriter();

        var exit = await HealthCommand.RunAsync(["--data", data.Path], output, error, new FakeTimeProvider(Written.AddSeconds(2)), TestContext.Current.CancellationToken);

        Assert.Equal(HealthCommand.ExitHealthy, exit);
        var text = output.ToString();
        Assert.Contains("car-7 (Vehicle)", text, StringComparison.Ordinal);
        Assert.Contains("link CONNECTED   durability OK", text, StringComparison.Ordinal);
        Assert.Contains("Telemetry         12", text, StringComparison.Ordinal);
        Assert.Contains("GNSS 3D, 9 satellites, last fix 3 s ago", text, StringComparison.Ordinal);
        Assert.Contains("FleetControl last connected 5 min ago", text, StringComparison.Ordinal);
        Assert.Empty(error.ToString());
    }

    [Theory]
    [InlineData(LinkState.Offline, DurabilityState.Ok)]
    [InlineData(LinkState.Degraded, DurabilityState.Ok)]
    [InlineData(LinkState.Connected, DurabilityState.Degraded)]
    public async Task RunAsync_LinkDownOrStoreDegraded_Exit4(LinkState link, DurabilityState durability)
    {
        using var data = new TempDirectory();
        await WriteAsync(data.Path, Report(link, durability));
        var error = new StringWriter();

        var exit = await HealthCommand.RunAsync(["--data", data.Path], TextWriter.Null, error, new FakeTimeProvider(Written.AddSeconds(1)), TestContext.Current.CancellationToken);

        Assert.Equal(HealthCommand.ExitDegraded, exit);
        Assert.Contains("DEGRADED", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_ReportOlderThanLimit_Exit3()
    {
        using var data = new TempDirectory();
        await WriteAsync(data.Path, Report(LinkState.Connected, DurabilityState.Ok));
        var error = new StringWriter();

        var exit = await HealthCommand.RunAsync(
            ["--data", data.Path, "--stale-after", "00:00:30"], TextWriter.Null, error, new FakeTimeProvider(Written.AddSeconds(31)), TestContext.Current.CancellationToken);

        Assert.Equal(HealthCommand.ExitStale, exit);
        Assert.Contains("STALE: the report is 31 s old (limit 30 s)", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_Json_PrintsTheFile()
    {
        using var data = new TempDirectory();
        await WriteAsync(data.Path, Report(LinkState.Connected, DurabilityState.Ok));
        var output = new StringWriter();

        var exit = await HealthCommand.RunAsync(["--data", data.Path, "--json"], output, TextWriter.Null, new FakeTimeProvider(Written), TestContext.Current.CancellationToken);

        Assert.Equal(HealthCommand.ExitHealthy, exit);
        Assert.Contains("\"deviceId\": \"car-7\"", output.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_NoFile_ClearErrorAndExit1()
    {
        using var data = new TempDirectory();
        var output = new StringWriter();
        var error = new StringWriter();

        var exit = await HealthCommand.RunAsync(["--data", data.Path], output, error, TestContext.Current.CancellationToken);

        Assert.Equal(HealthCommand.ExitNoReport, exit);
        Assert.Contains(Path.Combine(data.Path, "health.json"), error.ToString(), StringComparison.Ordinal);
        Assert.Contains("--data", error.ToString(), StringComparison.Ordinal);
        Assert.Empty(output.ToString());
    }

    [Fact]
    public async Task RunAsync_ConfiguredDataDirectoryAbsent_Exit1AndCreatesNothing()
    {
        using var root = new TempDirectory();
        var absent = Path.Combine(root.Path, "not-there", "data");
        var error = new StringWriter();

        var exit = await HealthCommand.RunAsync([$"--Gateway:DataDirectory={absent}"], TextWriter.Null, error, TestContext.Current.CancellationToken);

        Assert.Equal(HealthCommand.ExitNoReport, exit);
        Assert.Contains(Path.Combine(absent, "health.json"), error.ToString(), StringComparison.Ordinal);
        Assert.Empty(Directory.GetFileSystemEntries(root.Path)); // a read-only command leaves no data directory behind
    }

    [Fact]
    public async Task RunAsync_GarbageFile_Exit1()
    {
        using var data = new TempDirectory();
        await File.WriteAllTextAsync(HealthFile.PathIn(data.Path), "{ not json", TestContext.Current.CancellationToken);
        var error = new StringWriter();

        var exit = await HealthCommand.RunAsync(["--data", data.Path], TextWriter.Null, error, TestContext.Current.CancellationToken);

        Assert.Equal(HealthCommand.ExitNoReport, exit);
        Assert.Contains("not a health file", error.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--bogus")]
    [InlineData("--stale-after", "soon")]
    public async Task RunAsync_BadArguments_UsageAndExit2(params string[] args)
    {
        var error = new StringWriter();

        var exit = await HealthCommand.RunAsync(args, new StringWriter(), error, TestContext.Current.CancellationToken);

        Assert.Equal(HealthCommand.ExitUsage, exit);
        Assert.Contains("Usage: health [--data DIR]", error.ToString(), StringComparison.Ordinal);
    }

    private static HealthReport Report(LinkState link, DurabilityState durability) => new()
    {
        LinkState = link,
        Durability = durability,
        SoftwareVersion = "1.2.3",
        Queues = { new QueueClassStats { Priority = PriorityClass.Telemetry, Depth = 12, Bytes = 4096, OldestUnsentAgeMs = 65_000 } },
    };

    private static Task WriteAsync(string dataDirectory, HealthReport report) =>
        HealthFile.WriteAtomicallyAsync(HealthFile.PathIn(dataDirectory), HealthFile.Render(report, "car-7", "Vehicle", Written), TestContext.Current.CancellationToken);
}
