using EdgeGateway.Contracts.Evidence;
using EdgeGateway.Evidence;
using EdgeGateway.Hosting;
using EdgeGateway.Tests.Time;
using EdgeGateway.Time;
using Microsoft.Extensions.Options;

namespace EdgeGateway.Tests.Evidence;

/// <summary>Wall-clock steps (NTP/GNSS correction, RTC reset) recorded in the custody logs of open evidence, with an injected clock.</summary>
public sealed class ClockStepCustodyTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 30, 12, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData(3600)]
    [InlineData(-600)]
    public void Append_AfterClockStep_ClockStepEntryWithBeforeAfterAndMonotonicWindowFirst(int seconds)
    {
        using var dir = new TempDirectory();
        var time = new SteppableTime(T0);
        var staging = Staging(dir, time);
        var log = staging.OpenCustody("ev-1");
        log.Append(time.GetUtcNow(), "docked", "dock-01", "dock", "bay=1");
        time.Advance(TimeSpan.FromSeconds(5));

        time.Step(TimeSpan.FromSeconds(seconds));
        time.Advance(TimeSpan.FromSeconds(1));
        log.Append(time.GetUtcNow(), "copied", "dock-01", "dock", "size=10");

        Assert.Equal(["docked", CustodyLog.ClockStepEvent, "copied"], log.Entries.Select(e => e.Event));
        var step = log.Entries[1];
        Assert.Equal("clock", step.Actor);
        Assert.Contains($"before={CustodyLink.FormatTime(T0.AddSeconds(6))}", step.Details, StringComparison.Ordinal);
        Assert.Contains($"after={CustodyLink.FormatTime(T0.AddSeconds(6 + seconds))}", step.Details, StringComparison.Ordinal);
        Assert.Contains(FormattableString.Invariant($"step={seconds:+0.000;-0.000}s"), step.Details, StringComparison.Ordinal);
        Assert.Contains("monotonic=0.000s..6.000s", step.Details, StringComparison.Ordinal);
        AssertChainHolds("ev-1", staging.CustodyPath("ev-1"));
    }

    [Fact]
    public void Append_StepSeenByTheMonitorOnly_RecordedOnceInEveryItemOpenAtTheTime()
    {
        using var dir = new TempDirectory();
        var time = new SteppableTime(T0);
        var journal = new ClockStepJournal(time, TimeSpan.FromSeconds(2));
        var staging = Staging(dir, time, journal);
        staging.OpenCustody("ev-a").Append(time.GetUtcNow(), "docked", "dock-01", "dock", "bay=1");
        staging.OpenCustody("ev-b").Append(time.GetUtcNow(), "docked", "dock-01", "dock", "bay=2");

        time.Step(TimeSpan.FromMinutes(-30));
        Assert.NotNull(journal.Check()); // the periodic monitor's check
        time.Advance(TimeSpan.FromSeconds(1));
        staging.OpenCustody("ev-c").Append(time.GetUtcNow(), "docked", "dock-01", "dock", "bay=3"); // opened after the step
        foreach (var id in new[] { "ev-a", "ev-b", "ev-c" })
        {
            staging.OpenCustody(id).Append(time.GetUtcNow(), "hashed", "dock-01", "dock", "sha256=x");
            staging.OpenCustody(id).Append(time.GetUtcNow(), "uploaded", "dock-01", "dock", "vault=x"); // a second instance: no second entry
        }

        Assert.Equal(["docked", CustodyLog.ClockStepEvent, "hashed", "uploaded"], Events(staging, "ev-a"));
        Assert.Equal(["docked", CustodyLog.ClockStepEvent, "hashed", "uploaded"], Events(staging, "ev-b"));
        Assert.Equal(["docked", "hashed", "uploaded"], Events(staging, "ev-c"));
        AssertChainHolds("ev-a", staging.CustodyPath("ev-a"));
    }

    [Fact]
    public void Append_ClockBehindTheLastEntryAfterARestart_RecordedAsAClockStep()
    {
        using var dir = new TempDirectory();
        var before = new SteppableTime(T0);
        Staging(dir, before).OpenCustody("ev-1").Append(T0, "docked", "dock-01", "dock", "bay=1");

        // Power lost, RTC reset: the new process starts with the clock a day behind and never saw the step.
        var after = new SteppableTime(T0.AddDays(-1));
        var log = Staging(dir, after).OpenCustody("ev-1");
        log.Append(after.GetUtcNow(), "resumed", "dock-01", "dock", "offset=0");

        Assert.Equal(["docked", CustodyLog.ClockStepEvent, "resumed"], log.Entries.Select(e => e.Event));
        Assert.Contains("step=-86400.000s", log.Entries[1].Details, StringComparison.Ordinal);
        Assert.Contains("wall clock earlier than the previous entry", log.Entries[1].Details, StringComparison.Ordinal);
        AssertChainHolds("ev-1", log.FilePath);
    }

    [Fact]
    public void Append_ClocksAdvanceTogether_NoClockStepEntry()
    {
        using var dir = new TempDirectory();
        var time = new SteppableTime(T0);
        var log = Staging(dir, time).OpenCustody("ev-1");
        log.Append(time.GetUtcNow(), "docked", "dock-01", "dock", "bay=1");
        time.Advance(TimeSpan.FromHours(3));
        time.Step(TimeSpan.FromMilliseconds(900)); // a slew-sized correction, within the tolerance

        log.Append(time.GetUtcNow(), "copied", "dock-01", "dock", "size=1");

        Assert.Equal(["docked", "copied"], log.Entries.Select(e => e.Event));
    }

    private static StagingArea Staging(TempDirectory dir, TimeProvider time, ClockStepJournal? journal = null) =>
        new(Options.Create(new EvidenceOptions()), Options.Create(new GatewayOptions { DeviceId = "dock-01", DataDirectory = dir.Path }),
            clock: journal ?? new ClockStepJournal(time, TimeSpan.FromSeconds(2)));

    private static string[] Events(StagingArea staging, string id) => [.. staging.OpenCustody(id).Entries.Select(e => e.Event)];

    private static void AssertChainHolds(string id, string path)
    {
        var entries = CustodyLog.Open(path, id).Entries.Select(e => CustodyLink.FromProto(e.ToProto())).ToList();
        Assert.Null(FleetControl.Evidence.CustodyChain.FindBreak(id, entries));
    }
}
