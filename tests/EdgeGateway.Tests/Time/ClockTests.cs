using EdgeGateway.Time;
using Microsoft.Extensions.Time.Testing;

namespace EdgeGateway.Tests.Time;

public sealed class ClockTests
{
    [Fact]
    public void ClockStepDetector_ClocksAdvanceTogether_NoStep()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 30, 12, 0, 0, TimeSpan.Zero));
        var detector = new ClockStepDetector(time, TimeSpan.FromSeconds(1));

        time.Advance(TimeSpan.FromMinutes(10));

        Assert.False(detector.Check(out var step, out _, out _));
        Assert.Equal(TimeSpan.Zero, step);
    }

    [Theory]
    [InlineData(300)]
    [InlineData(-90)]
    public void ClockStepDetector_WallClockSetWithoutMonotonicMoving_ReportsTheStep(int seconds)
    {
        var start = new DateTimeOffset(2026, 11, 30, 12, 0, 0, TimeSpan.Zero);
        var time = new SteppableTime(start);
        var detector = new ClockStepDetector(time, TimeSpan.FromSeconds(1));
        time.Advance(TimeSpan.FromSeconds(5));

        time.Step(TimeSpan.FromSeconds(seconds));

        Assert.True(detector.Check(out var step, out var before, out var after));
        Assert.Equal(TimeSpan.FromSeconds(seconds), step);
        Assert.Equal(start.AddSeconds(5), before);
        Assert.Equal(start.AddSeconds(5 + seconds), after);
        Assert.False(detector.Check(out _, out _, out _)); // reported once
    }

    [Fact]
    public void ClockStepDetector_DriftWithinTolerance_NotAStep()
    {
        var time = new SteppableTime(new DateTimeOffset(2026, 11, 30, 12, 0, 0, TimeSpan.Zero));
        var detector = new ClockStepDetector(time, TimeSpan.FromSeconds(1));

        time.Step(TimeSpan.FromMilliseconds(400)); // an NTP slew-sized correction

        Assert.False(detector.Check(out _, out _, out _));
    }

    [Fact]
    public void KernelClockStatus_ReadingCachedForTenSeconds()
    {
        var time = new FakeTimeProvider();
        var reads = 0;
        var synchronised = true;
        var status = new KernelClockStatus(time, () => { reads++; return synchronised; });

        Assert.True(status.IsSynchronised);
        synchronised = false;
        time.Advance(TimeSpan.FromSeconds(9));
        Assert.True(status.IsSynchronised);
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.False(status.IsSynchronised);
        Assert.Equal(2, reads);
    }

    [Fact]
    public void KernelClockStatus_ReadKernel_AnswersWithoutThrowing()
    {
        // Whether this machine's clock is synchronised is the machine's business; the call must simply work.
        var first = KernelClockStatus.ReadKernel();
        Assert.Equal(first, KernelClockStatus.ReadKernel());
    }
}
