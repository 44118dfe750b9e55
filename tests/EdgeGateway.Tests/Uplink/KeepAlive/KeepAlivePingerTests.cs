using EdgeGateway.Mqtt.KeepAlive;
using Microsoft.Extensions.Time.Testing;

namespace EdgeGateway.Tests.Uplink.KeepAlive;

/// <summary>
/// The keep-alive pinger on fake time, with its timer passes and pings counted: an idle link costs one wake-up
/// and one ping per period (MQTTnet's own loop woke every 250 ms), and traffic postpones the ping.
/// </summary>
public sealed class KeepAlivePingerTests
{
    private static readonly TimeSpan Period = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan Step = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan Long = TimeSpan.FromSeconds(30);

    [Fact]
    public void Idle_TenPeriodsIn250msSteps_WakesAndPingsOncePerPeriod()
    {
        var time = new FakeTimeProvider();
        var answered = 0;
        using var pinger = new KeepAlivePinger(Period, time, _ => { answered++; return Task.CompletedTask; }, e => Assert.Fail(e.Message));

        Advance(time, Period - Step);
        Assert.Equal(0, pinger.WakeUps);
        Assert.Equal(0, pinger.Pings);

        Advance(time, Step + (9 * Period));

        Assert.Equal(10, pinger.Pings);
        Assert.Equal(10, answered);
        Assert.Equal(10, pinger.Answered);
        Assert.Equal(10, pinger.WakeUps);
    }

    [Fact]
    public void Traffic_WithinThePeriod_PostponesThePingToAPeriodAfterTheLastSend()
    {
        var time = new FakeTimeProvider();
        using var pinger = new KeepAlivePinger(Period, time, _ => Task.CompletedTask, e => Assert.Fail(e.Message));

        Advance(time, TimeSpan.FromSeconds(20));
        pinger.Sent();
        Advance(time, TimeSpan.FromSeconds(10));

        // Due at 30 s: it woke, saw the send at 20 s and re-armed for 50 s without pinging.
        Assert.Equal(1, pinger.WakeUps);
        Assert.Equal(0, pinger.Pings);

        Advance(time, TimeSpan.FromSeconds(20) - Step);
        Assert.Equal(0, pinger.Pings);
        Advance(time, Step);
        Assert.Equal(1, pinger.Pings);
        Assert.Equal(2, pinger.WakeUps);
    }

    [Fact]
    public void Traffic_EveryFewSeconds_NeverPingsAndWakesOncePerPeriod()
    {
        var time = new FakeTimeProvider();
        using var pinger = new KeepAlivePinger(Period, time, _ => Task.CompletedTask, e => Assert.Fail(e.Message));

        for (var second = 0; second < 10 * 30; second += 5)
        {
            Advance(time, TimeSpan.FromSeconds(5));
            pinger.Sent();
        }

        // Woken at 30 s, then a period after the send just before each wake-up (every 25 s): never polled.
        Assert.Equal(0, pinger.Pings);
        Assert.Equal(11, pinger.WakeUps);
    }

    [Fact]
    public async Task Ping_NotAnswered_FailsOnceAtHalfThePeriodAndStops()
    {
        var time = new FakeTimeProvider();
        var failed = new TaskCompletionSource<Exception>(TaskCreationOptions.RunContinuationsAsynchronously);
        var failures = 0;
        using var pinger = new KeepAlivePinger(
            Period,
            time,
            cancellationToken => Task.Delay(Timeout.InfiniteTimeSpan, cancellationToken),
            e => { Interlocked.Increment(ref failures); failed.TrySetResult(e); });

        Advance(time, Period);
        Assert.Equal(1, pinger.Pings);
        Advance(time, (Period / 2) - Step);
        Assert.False(failed.Task.IsCompleted);

        Advance(time, Step);
        var exception = await failed.Task.WaitAsync(Long, TestContext.Current.CancellationToken);
        Assert.IsType<TimeoutException>(exception);
        Assert.Contains("keep-alive ping", exception.Message, StringComparison.Ordinal);

        Advance(time, 3 * Period);
        Assert.Equal(1, pinger.Pings);
        Assert.Equal(1, Volatile.Read(ref failures));
    }

    [Fact]
    public void Dispose_WhileIdle_NoFurtherWakeUpsOrPings()
    {
        var time = new FakeTimeProvider();
        var pinger = new KeepAlivePinger(Period, time, _ => Task.CompletedTask, e => Assert.Fail(e.Message));
        Advance(time, Period);
        Assert.Equal(1, pinger.Pings);

        pinger.Dispose();
        Advance(time, 3 * Period);

        Assert.Equal(1, pinger.Pings);
        Assert.Equal(1, pinger.WakeUps);
    }

    /// <summary>Advances in 250 ms steps (MQTTnet's polling interval), so a poller would be counted.</summary>
    private static void Advance(FakeTimeProvider time, TimeSpan by)
    {
        for (var left = by; left > TimeSpan.Zero; left -= Step)
        {
            time.Advance(left < Step ? left : Step);
        }
    }
}
