using EdgeGateway.Hosting.Watchdog;
using Microsoft.Extensions.Time.Testing;

namespace EdgeGateway.Tests.Hosting.Watchdog;

public sealed class SystemdWatchdogTests
{
    [Theory]
    [InlineData("30000000", null, 30.0)]
    [InlineData("30000000", "4242", 30.0)]
    [InlineData("2000000", "17", null)] // another process's watchdog (WATCHDOG_PID names it)
    [InlineData(null, null, null)] // not under WatchdogSec
    [InlineData("0", null, null)]
    [InlineData("soon", null, null)]
    public void RequestedInterval_FollowsSdWatchdogEnabled(string? usec, string? pid, double? seconds)
    {
        var environment = new Dictionary<string, string?> { ["WATCHDOG_USEC"] = usec, ["WATCHDOG_PID"] = pid };

        var interval = SystemdWatchdog.RequestedInterval(name => environment.GetValueOrDefault(name), processId: 4242);

        Assert.Equal(seconds is null ? null : TimeSpan.FromSeconds(seconds.Value), interval);
    }

    [Fact]
    public void LivenessProbe_BusyOnlyWhileWorking_ClockRestartsOnProgress()
    {
        var time = new FakeTimeProvider();
        var probe = new LivenessProbe("drain");
        Assert.Null(probe.BusyFor(time));

        probe.Working(time);
        time.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal(TimeSpan.FromSeconds(5), probe.BusyFor(time));

        probe.Working(time);
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(TimeSpan.FromSeconds(1), probe.BusyFor(time));

        probe.Idle();
        time.Advance(TimeSpan.FromHours(3));
        Assert.Null(probe.BusyFor(time));
    }
}
