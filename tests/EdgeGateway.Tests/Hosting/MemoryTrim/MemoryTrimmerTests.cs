using EdgeGateway.Hosting.MemoryTrim;
using EdgeGateway.Tests.Uplink;
using EdgeGateway.Uplink.Mqtt;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace EdgeGateway.Tests.Hosting.MemoryTrim;

/// <summary>
/// When the memory trim runs (fake time, a counter instead of the collection): once a settle time after start-up,
/// not again without a trigger, after a burst at most once per minimum interval, never when turned off.
/// </summary>
public sealed class MemoryTrimmerTests
{
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan MinInterval = TimeSpan.FromMinutes(10);

    [Fact]
    public async Task Start_TrimsOnceAfterTheSettleTime_NotAgainWithoutATrigger()
    {
        var (trimmer, time, lifetime, trims) = Create(Settle);
        await trimmer.StartAsync(TestContext.Current.CancellationToken);
        time.Advance(TimeSpan.FromMinutes(5));
        Assert.Equal(0, trims.Count); // the delay counts from ApplicationStarted, not from StartAsync

        lifetime.Started();
        time.Advance(Settle - TimeSpan.FromSeconds(1));
        Assert.Equal(0, trims.Count);
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(1, trims.Count);

        for (var minute = 0; minute < 120; minute++)
        {
            time.Advance(TimeSpan.FromMinutes(1));
        }

        Assert.Equal(1, trims.Count);
        Assert.Equal(1, trimmer.Trims);
        Assert.Null(trimmer.Due); // no timer armed while idle
        await trimmer.StopAsync(TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task RequestAfterBurst_SoonAfterATrim_WaitsForTheMinimumInterval_AndRunsOnce()
    {
        var (trimmer, time, lifetime, trims) = Create(Settle);
        await trimmer.StartAsync(TestContext.Current.CancellationToken);
        lifetime.Started();
        time.Advance(Settle);
        Assert.Equal(1, trims.Count);
        var firstTrim = time.GetUtcNow();

        // A backlog drains a minute later, and again twice: one trim, at the end of the minimum interval.
        time.Advance(TimeSpan.FromMinutes(1));
        trimmer.RequestAfterBurst("backlog drained");
        time.Advance(TimeSpan.FromMinutes(1));
        trimmer.RequestAfterBurst("backlog drained");
        trimmer.RequestAfterBurst("backlog drained");
        Assert.Equal(firstTrim + MinInterval, trimmer.Due);
        time.Advance(firstTrim + MinInterval - time.GetUtcNow() - TimeSpan.FromSeconds(1));
        Assert.Equal(1, trims.Count);
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(2, trims.Count);

        // Long after the last trim a burst is trimmed one settle time after it ended.
        time.Advance(TimeSpan.FromHours(1));
        Assert.Equal(2, trims.Count);
        trimmer.RequestAfterBurst("backlog drained");
        Assert.Equal(time.GetUtcNow() + Settle, trimmer.Due);
        time.Advance(Settle);
        Assert.Equal(3, trims.Count);
        time.Advance(TimeSpan.FromHours(1));
        Assert.Equal(3, trims.Count);
        await trimmer.StopAsync(TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task RequestAfterBurst_BeforeTheStartUpTrim_IsCoveredByIt()
    {
        var (trimmer, time, lifetime, trims) = Create(Settle);
        await trimmer.StartAsync(TestContext.Current.CancellationToken);
        lifetime.Started();
        time.Advance(TimeSpan.FromSeconds(10));
        trimmer.RequestAfterBurst("backlog drained");

        time.Advance(TimeSpan.FromHours(1));

        Assert.Equal(1, trims.Count);
        await trimmer.StopAsync(TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task Off_OrStopped_NeverTrims()
    {
        var (off, offTime, offLifetime, offTrims) = Create(TimeSpan.Zero);
        await off.StartAsync(TestContext.Current.CancellationToken);
        offLifetime.Started();
        off.RequestAfterBurst("backlog drained");
        offTime.Advance(TimeSpan.FromHours(1));
        Assert.False(off.Enabled);
        Assert.Equal(0, offTrims.Count);

        var (stopped, time, lifetime, trims) = Create(Settle);
        await stopped.StartAsync(TestContext.Current.CancellationToken);
        lifetime.Started();
        await stopped.StopAsync(TestContext.Current.CancellationToken);
        stopped.RequestAfterBurst("backlog drained");
        time.Advance(TimeSpan.FromHours(1));
        Assert.Equal(0, trims.Count);
    }

    [Fact]
    public async Task FirstConnection_AfterTheStartUpTrim_TrimsOnce_ReconnectsDoNot()
    {
        var time = new FakeTimeProvider();
        var link = new LinkStateMachine(new TestLogger<LinkStateMachine>(), time);
        var (trimmer, _, lifetime, trims) = Create(Settle, time, link);
        await trimmer.StartAsync(TestContext.Current.CancellationToken);
        lifetime.Started();
        time.Advance(Settle);
        Assert.Equal(1, trims.Count);

        // The link was down at start-up and comes up 20 minutes later: one trim a settle time after it.
        time.Advance(TimeSpan.FromMinutes(20));
        link.Fire(LinkTrigger.Connected, "test");
        time.Advance(Settle);
        Assert.Equal(2, trims.Count);

        for (var reconnect = 0; reconnect < 5; reconnect++)
        {
            link.Fire(LinkTrigger.Disconnected, "test");
            time.Advance(TimeSpan.FromMinutes(15));
            link.Fire(LinkTrigger.Connected, "test");
            time.Advance(TimeSpan.FromMinutes(15));
        }

        Assert.Equal(2, trims.Count);
        await trimmer.StopAsync(TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task FirstConnection_BeforeTheStartUpTrim_IsCoveredByIt()
    {
        var time = new FakeTimeProvider();
        var link = new LinkStateMachine(new TestLogger<LinkStateMachine>(), time);
        var (trimmer, _, lifetime, trims) = Create(Settle, time, link);
        await trimmer.StartAsync(TestContext.Current.CancellationToken);
        lifetime.Started();
        time.Advance(TimeSpan.FromSeconds(6));
        link.Fire(LinkTrigger.Connected, "test");

        time.Advance(TimeSpan.FromHours(1));

        Assert.Equal(1, trims.Count);
        await trimmer.StopAsync(TestContext.Current.CancellationToken);
    }

    private static (MemoryTrimmer Trimmer, FakeTimeProvider Time, FakeLifetime Lifetime, TrimCounter Trims) Create(TimeSpan afterStart, FakeTimeProvider? fakeTime = null, LinkStateMachine? link = null)
    {
        var time = fakeTime ?? new FakeTimeProvider();
        var lifetime = new FakeLifetime();
        var trims = new TrimCounter();
        var options = Options.Create(new MemoryTrimOptions { MemoryTrimAfterStart = afterStart, MemoryTrimMinInterval = MinInterval });
        var trimmer = new MemoryTrimmer(lifetime, time, options, new TestLogger<MemoryTrimmer>(), drain: null, link: link, collect: () => trims.Count++);
        return (trimmer, time, lifetime, trims);
    }

    private sealed class TrimCounter
    {
        public int Count { get; set; }
    }

    private sealed class FakeLifetime : IHostApplicationLifetime
    {
        private readonly CancellationTokenSource _started = new();

        public CancellationToken ApplicationStarted => _started.Token;

        public CancellationToken ApplicationStopping => CancellationToken.None;

        public CancellationToken ApplicationStopped => CancellationToken.None;

        public void Started() => _started.Cancel();

        public void StopApplication()
        {
        }
    }
}
