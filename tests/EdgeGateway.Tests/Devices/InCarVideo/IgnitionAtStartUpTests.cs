using EdgeGateway.Devices.InCarVideo;
using EdgeGateway.Testing;
using Microsoft.Extensions.Time.Testing;

namespace EdgeGateway.Tests.Devices.InCarVideo;

/// <summary>
/// The ignition's level at start-up is reported either way (a vehicle PC woken by a timer or a depot Wake-on-LAN with the
/// ignition off must arm the power-down), debounced like any edge; other inputs inactive at start-up stay silent.
/// </summary>
public sealed class IgnitionAtStartUpTests
{
    private static Dictionary<string, string?> Settings()
    {
        var settings = TriggerHarness.GpioSettings();
        settings["InCarVideo:Inputs:3:Source"] = "ignition";
        settings["InCarVideo:Inputs:3:Pin"] = "5";
        return settings;
    }

    [Fact]
    public async Task IgnitionInactiveAtStartUp_HeldForTheDebounce_IsOneOffStampedAtStartUp()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 1, 3, 0, 0, TimeSpan.Zero));
        var started = time.GetUtcNow();
        await using var harness = await TriggerHarness.StartAsync(Settings(), time);
        await Eventually.TrueAsync(() => harness.Hardware.Gpio.CallbackCount(5) > 0, because: "the monitor listens for edges");

        time.Advance(TimeSpan.FromMilliseconds(199));
        Assert.Empty(harness.TriggersNow("ignition"));
        time.Advance(TimeSpan.FromMilliseconds(1));

        var off = Assert.Single(await harness.TriggersAsync("ignition", 1));
        Assert.Equal("off", off.Attributes["state"]);
        Assert.Contains("inactive at start-up", off.Detail, StringComparison.Ordinal);
        var envelope = harness.Sink.Snapshot().Single(e => e.Stream == TriggerEventWriter.Stream);
        Assert.Equal(started, envelope.CapturedAt.ToDateTimeOffset());
        Assert.Empty(harness.TriggersNow("light-bar")); // an ordinary input inactive at start-up is not an event
    }

    [Fact]
    public async Task IgnitionComingOnWithinTheDebounceAfterStartUp_IsOnlyAnOn_StampedAtItsEdge()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 1, 3, 0, 0, TimeSpan.Zero));
        await using var harness = await TriggerHarness.StartAsync(Settings(), time);
        await Eventually.TrueAsync(() => harness.Hardware.Gpio.CallbackCount(5) > 0, because: "the monitor listens for edges");

        time.Advance(TimeSpan.FromMilliseconds(100));
        var edge = time.GetUtcNow();
        harness.Hardware.SetInput("ignition", true);
        time.Advance(TimeSpan.FromMilliseconds(150)); // past the start-up wait, not past the edge's debounce
        Assert.Empty(harness.TriggersNow("ignition"));
        time.Advance(TimeSpan.FromMilliseconds(50));

        var on = Assert.Single(await harness.TriggersAsync("ignition", 1));
        Assert.Equal("on", on.Attributes["state"]);
        Assert.Equal(edge, harness.Sink.Snapshot().Single(e => e.Stream == TriggerEventWriter.Stream).CapturedAt.ToDateTimeOffset());
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.Single(harness.TriggersNow("ignition"));
    }
}
