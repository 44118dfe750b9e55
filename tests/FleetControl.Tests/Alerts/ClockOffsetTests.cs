using FleetControl.Alerts;
using FleetControl.Store;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace FleetControl.Tests.Alerts;

/// <summary>
/// Clock offset estimates and the clock-offset alert, with injected time: a fast device is flagged and alerted, a
/// slightly-off one is not, and a device draining an hour-old backlog with a correct clock is not.
/// </summary>
public sealed class ClockOffsetTests : IDisposable
{
    private readonly TempDirectory _data = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 1, 12, 0, 0, TimeSpan.Zero));
    private readonly IOptions<AlertOptions> _options = Options.Create(new AlertOptions());
    private readonly LiteDbFleetStore _fleet;
    private readonly AlertStore _alertStore;
    private readonly ClockOffsetTracker _clocks;
    private readonly AlertEvaluator _evaluator;

    public ClockOffsetTests()
    {
        _fleet = new LiteDbFleetStore(Path.Combine(_data.Path, "fleet.db"));
        _alertStore = new LiteDbAlertStore(Path.Combine(_data.Path, AlertStore.FileName));
        _clocks = new ClockOffsetTracker(_time, _options);
        var alerts = new AlertService(_alertStore, _time, NullLogger<AlertService>.Instance);
        _evaluator = new AlertEvaluator(_fleet, alerts, _alertStore, _clocks, _time, _options, NullLogger<AlertEvaluator>.Instance);
    }

    public void Dispose()
    {
        _alertStore.Dispose();
        _fleet.Dispose();
        _data.Dispose();
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task DeviceFiveSecondsFast_IsFlaggedAndAlerted_AndClearedWhenItsClockIsBack()
    {
        // Live status at connect, then health reports every 10 s, each arriving 50 ms after it was written.
        _clocks.OnLiveStatus("van-fast", _time.GetUtcNow().AddSeconds(5));
        for (var i = 0; i < 6; i++)
        {
            _time.Advance(TimeSpan.FromSeconds(10));
            _clocks.OnEnvelope("van-fast", _time.GetUtcNow().AddSeconds(5).AddMilliseconds(-50));
        }

        Assert.Equal(5.0, _clocks.OffsetOf("van-fast")!.Value.TotalSeconds, 3);
        Assert.True(_clocks.IsSuspect("van-fast"));
        await _evaluator.EvaluateAsync(Ct);
        var alert = Assert.Single(_alertStore.List("active", "van-fast", 10));
        Assert.Equal("clock-offset:van-fast", alert.AlertId);
        Assert.Equal("major", alert.Severity);
        Assert.Contains("5.0 s fast", alert.Message, StringComparison.Ordinal);

        // NTP corrects the clock: once the fast samples leave the window the estimate follows, and the alert resolves.
        for (var i = 0; i < 40; i++)
        {
            _time.Advance(TimeSpan.FromSeconds(10));
            _clocks.OnEnvelope("van-fast", _time.GetUtcNow().AddMilliseconds(-50));
        }

        Assert.Equal(-0.05, _clocks.OffsetOf("van-fast")!.Value.TotalSeconds, 3);
        Assert.False(_clocks.IsSuspect("van-fast"));
        await _evaluator.EvaluateAsync(Ct);
        Assert.Empty(_alertStore.List("active", "van-fast", 10));
        var resolved = Assert.Single(_alertStore.List("resolved", "van-fast", 10));
        Assert.Equal<string>(["raised", "resolved"], resolved.History.Select(h => h.What).ToList());
    }

    [Fact]
    public async Task DeviceHalfASecondOff_IsNotFlagged()
    {
        _clocks.OnLiveStatus("van-ok", _time.GetUtcNow().AddMilliseconds(-500));
        _clocks.OnLiveStatus("van-ahead", _time.GetUtcNow().AddMilliseconds(500));
        for (var i = 0; i < 6; i++)
        {
            _time.Advance(TimeSpan.FromSeconds(10));
            _clocks.OnEnvelope("van-ok", _time.GetUtcNow().AddMilliseconds(-500));
            _clocks.OnEnvelope("van-ahead", _time.GetUtcNow().AddMilliseconds(500));
        }

        Assert.Equal(-0.5, _clocks.OffsetOf("van-ok")!.Value.TotalSeconds, 3);
        Assert.Equal(0.5, _clocks.OffsetOf("van-ahead")!.Value.TotalSeconds, 3);
        Assert.False(_clocks.IsSuspect("van-ok"));
        Assert.False(_clocks.IsSuspect("van-ahead"));
        await _evaluator.EvaluateAsync(Ct);
        Assert.Empty(_alertStore.List(null, null, 10));
    }

    [Fact]
    public async Task DeviceDrainingAnHourOldBacklog_WithACorrectClock_IsNotFlagged()
    {
        // Reconnects after an hour without coverage: live status first, then the backlog, oldest first, for 20 minutes
        // (longer than the window, so at the end every message in the window is old).
        _clocks.OnLiveStatus("van-backlog", _time.GetUtcNow());
        var capturedAt = _time.GetUtcNow().AddHours(-1);
        for (var i = 0; i < 120; i++)
        {
            _time.Advance(TimeSpan.FromSeconds(10));
            capturedAt = capturedAt.AddSeconds(20); // drains twice as fast as it was captured
            _clocks.OnEnvelope("van-backlog", capturedAt);
            if (i % 30 == 0)
            {
                await _evaluator.EvaluateAsync(Ct);
            }
        }

        Assert.Equal(0.0, _clocks.OffsetOf("van-backlog")!.Value.TotalSeconds, 3);
        Assert.False(_clocks.IsSuspect("van-backlog"));
        await _evaluator.EvaluateAsync(Ct);
        Assert.Empty(_alertStore.List(null, null, 10));
    }

    [Fact]
    public async Task SlowDevice_IsFlaggedByItsLiveStatus_ButABacklogWithoutOneIsUnknown()
    {
        // Slow by 5 s: its live status (and its live health) say so.
        _clocks.OnLiveStatus("van-slow", _time.GetUtcNow().AddSeconds(-5));
        _time.Advance(TimeSpan.FromSeconds(10));
        _clocks.OnEnvelope("van-slow", _time.GetUtcNow().AddSeconds(-5));
        Assert.Equal(-5.0, _clocks.OffsetOf("van-slow")!.Value.TotalSeconds, 3);

        // Only old envelopes and no live status (FleetControl restarted mid-drain): not known, not flagged.
        _clocks.OnEnvelope("van-unknown", _time.GetUtcNow().AddHours(-1));
        Assert.Null(_clocks.OffsetOf("van-unknown"));
        Assert.False(_clocks.IsSuspect("van-unknown"));

        await _evaluator.EvaluateAsync(Ct);
        var alert = Assert.Single(_alertStore.List("active", null, 10));
        Assert.Equal("clock-offset:van-slow", alert.AlertId);
        Assert.Contains("5.0 s slow", alert.Message, StringComparison.Ordinal);
    }
}
