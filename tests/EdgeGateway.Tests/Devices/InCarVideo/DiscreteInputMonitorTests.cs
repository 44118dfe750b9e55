using EdgeGateway.Contracts.V1;
using EdgeGateway.Devices.InCarVideo;
using EdgeGateway.Testing;
using Microsoft.Extensions.Time.Testing;

namespace EdgeGateway.Tests.Devices.InCarVideo;

public sealed class DiscreteInputMonitorTests
{
    [Theory]
    [InlineData("Interrupt")]
    [InlineData("Poll")]
    public async Task LightBar_OnThenOff_OneEventClassEnvelopeEach(string detection)
    {
        await using var harness = await TriggerHarness.StartAsync(TriggerHarness.GpioSettings(detection));
        await WaitUntilWatchingAsync(harness, detection);

        harness.Hardware.SetInput("light-bar", true);
        var on = await harness.TriggersAsync("light-bar", 1);
        harness.Hardware.SetInput("light-bar", false);
        var both = await harness.TriggersAsync("light-bar", 2);

        Assert.Equal("on", on[0].Attributes["state"]);
        Assert.Equal("off", both[1].Attributes["state"]);
        Assert.Equal("17", both[1].Attributes["pin"]);
        Assert.Equal(TriggerEventWriter.EventType, both[0].Type);
        var envelope = harness.Sink.Snapshot().First(e => e.Stream == TriggerEventWriter.Stream);
        Assert.Equal(PriorityClass.Event, envelope.Priority);
    }

    [Fact]
    public async Task ActiveLowSiren_LineGoesLow_IsOn()
    {
        await using var harness = await TriggerHarness.StartAsync(TriggerHarness.GpioSettings());
        await WaitUntilWatchingAsync(harness, "Interrupt");

        harness.Hardware.SetInput("siren", true);

        var siren = await harness.TriggersAsync("siren", 1);
        Assert.Equal("on", siren[0].Attributes["state"]);
        Assert.Equal(System.Device.Gpio.PinValue.Low, harness.Hardware.Gpio.LevelOf(27));
    }

    [Fact]
    public async Task Bounce_ShorterThanDebounce_NoTrigger_ThenAHeldLevelTriggersOnceStampedAtItsFirstEdge()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 1, 8, 0, 0, TimeSpan.Zero));
        await using var harness = await TriggerHarness.StartAsync(TriggerHarness.GpioSettings(), time);
        await WaitUntilWatchingAsync(harness, "Interrupt");

        // Contact bounce: on/off within 150 ms, ending where it started.
        harness.Hardware.SetInput("light-bar", true);
        time.Advance(TimeSpan.FromMilliseconds(50));
        harness.Hardware.SetInput("light-bar", false);
        time.Advance(TimeSpan.FromMilliseconds(100));
        harness.Hardware.SetInput("light-bar", true);
        harness.Hardware.SetInput("light-bar", false);
        time.Advance(TimeSpan.FromMilliseconds(200));
        Assert.Equal(1, harness.Counters.Bounces);
        Assert.Equal(4, harness.Counters.Edges);

        // A real switch-on that bounces once, then holds.
        var firstEdge = time.GetUtcNow();
        harness.Hardware.SetInput("light-bar", true);
        time.Advance(TimeSpan.FromMilliseconds(20));
        harness.Hardware.SetInput("light-bar", false);
        harness.Hardware.SetInput("light-bar", true);
        time.Advance(TimeSpan.FromMilliseconds(199));
        Assert.Empty(harness.TriggersNow("light-bar"));
        time.Advance(TimeSpan.FromMilliseconds(1));

        var on = await harness.TriggersAsync("light-bar", 1);
        var envelope = harness.Sink.Snapshot().Single(e => e.Stream == TriggerEventWriter.Stream);
        Assert.Single(on);
        Assert.Equal(firstEdge, envelope.CapturedAt.ToDateTimeOffset());
    }

    [Fact]
    public async Task OfficerButton_Momentary_EachPressIsOnePulse_ReleaseIsSilent()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 1, 8, 0, 0, TimeSpan.Zero));
        await using var harness = await TriggerHarness.StartAsync(TriggerHarness.GpioSettings(), time);
        await WaitUntilWatchingAsync(harness, "Interrupt");

        harness.Hardware.SetInput("officer-button", true);
        time.Advance(TimeSpan.FromMilliseconds(200));
        harness.Hardware.SetInput("officer-button", false);
        time.Advance(TimeSpan.FromMilliseconds(200));
        harness.Hardware.SetInput("officer-button", true);
        time.Advance(TimeSpan.FromMilliseconds(200));
        var presses = await harness.TriggersAsync("officer-button", 2);
        harness.Hardware.SetInput("officer-button", false);
        time.Advance(TimeSpan.FromMilliseconds(200));

        Assert.All(presses, p => Assert.Equal("pulse", p.Attributes["state"]));
        Assert.Equal(2, presses.Count);
        Assert.Equal(0, harness.Counters.Bounces);
        Assert.Equal(2, harness.TriggersNow("officer-button").Count);
    }

    [Fact]
    public async Task InputActiveAtStartUp_IsATriggerAtOnce()
    {
        await using var harness = await TriggerHarness.StartAsync(TriggerHarness.GpioSettings(), wiring: h => h.SetInput("light-bar", true));

        var on = await harness.TriggersAsync("light-bar", 1);

        Assert.Equal("on", on[0].Attributes["state"]);
        Assert.Contains("start-up", on[0].Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Mcp23017Expander_RealBindingOverEmulatedRegisters_ActiveLowIgnition()
    {
        var settings = new Dictionary<string, string?>
        {
            ["InCarVideo:Enabled"] = "true",
            ["InCarVideo:Hardware"] = "Simulated",
            ["InCarVideo:Controller"] = "Mcp23017",
            ["InCarVideo:PollInterval"] = "00:00:00.010",
            ["InCarVideo:Expander:Bus"] = "1",
            ["InCarVideo:Expander:Address"] = "32",
            ["InCarVideo:Inputs:0:Source"] = "ignition",
            ["InCarVideo:Inputs:0:Pin"] = "9",
            ["InCarVideo:Inputs:0:ActiveLow"] = "true",
            ["InCarVideo:Inputs:1:Source"] = "gun-lock",
            ["InCarVideo:Inputs:1:Pin"] = "2",
        };
        await using var harness = await TriggerHarness.StartAsync(settings);

        harness.Hardware.SetInput("ignition", true);
        var ignition = await harness.TriggersAsync("ignition", 1);
        harness.Hardware.SetInput("gun-lock", true);
        var gunLock = await harness.TriggersAsync("gun-lock", 1);

        Assert.Equal("mcp23017", ignition[0].Attributes["input"]);
        Assert.Equal("9", ignition[0].Attributes["pin"]);
        Assert.Equal("on", gunLock[0].Attributes["state"]);
        Assert.Empty(harness.TriggersNow("light-bar"));
    }

    private static Task WaitUntilWatchingAsync(TriggerHarness harness, string detection) =>
        detection == "Interrupt"
            ? Eventually.TrueAsync(() => harness.Hardware.Gpio.CallbackCount(17) > 0 && harness.Hardware.Gpio.CallbackCount(22) > 0, because: "the monitor listens for edges")
            : Task.CompletedTask;
}
