using EdgeGateway.Devices.Gnss;
using EdgeGateway.Devices.InCarVideo;
using EdgeGateway.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace EdgeGateway.Tests.Devices.InCarVideo;

public sealed class SensorMonitorTests
{
    private static Dictionary<string, string?> Settings() => new()
    {
        ["InCarVideo:Enabled"] = "true",
        ["InCarVideo:Hardware"] = "Simulated",
        ["InCarVideo:Accelerometer:Enabled"] = "true",
        ["InCarVideo:Accelerometer:ThresholdG"] = "1.5",
        ["InCarVideo:Accelerometer:SampleInterval"] = "00:00:00.005",
        ["InCarVideo:Accelerometer:HoldOff"] = "00:10:00",
        ["InCarVideo:Supply:Enabled"] = "true",
        ["InCarVideo:Supply:LowVolts"] = "11.5",
        ["InCarVideo:Supply:HysteresisVolts"] = "0.3",
        ["InCarVideo:SpeedThresholdMps"] = "30",
        ["InCarVideo:SlowSampleInterval"] = "00:00:00.050",
    };

    [Theory]
    [InlineData("true")]
    [InlineData("false")]
    public async Task Mpu6050_BelowThreshold_Nothing_AboveThreshold_OneCrashPulseWithItsG(string fifo)
    {
        var settings = Settings();
        settings["InCarVideo:Accelerometer:Fifo"] = fifo;
        settings["InCarVideo:Accelerometer:BatchInterval"] = "00:00:00.200";
        await using var harness = await TriggerHarness.StartAsync(settings);
        harness.Hardware.SetHorizontalG(1.2);
        var seen = harness.Counters.AccelerometerSamples;
        await Eventually.TrueAsync(() => harness.Counters.AccelerometerSamples > seen + 3, because: "the accelerometer was read at 1.2 g");
        Assert.Empty(harness.TriggersNow(TriggerSources.Crash));

        harness.Hardware.SetHorizontalG(1.6);
        var crash = await harness.TriggersAsync(TriggerSources.Crash, 1);
        seen = harness.Counters.AccelerometerSamples;
        await Eventually.TrueAsync(() => harness.Counters.AccelerometerSamples > seen + 3, because: "more readings above the threshold within the hold-off");

        Assert.Single(harness.TriggersNow(TriggerSources.Crash));
        Assert.Equal("pulse", crash[0].Attributes["state"]);
        Assert.Equal("1.60", crash[0].Attributes["g"]);
        Assert.Equal("mpu6050", crash[0].Attributes["sensor"]);
    }

    [Fact]
    public async Task Mpu6050Fifo_PulseBetweenDrains_OneCrashAtItsSampleTime_ManySamplesPerWakeUp()
    {
        var settings = Settings();
        settings["InCarVideo:Accelerometer:SampleInterval"] = "00:00:00.010";
        settings["InCarVideo:Accelerometer:BatchInterval"] = "00:00:01.500";
        await using var harness = await TriggerHarness.StartAsync(settings);
        await Eventually.TrueAsync(() => harness.Counters.FifoBatches >= 1, because: "the FIFO drained once");

        var before = DateTimeOffset.UtcNow;
        harness.Hardware.SetHorizontalG(2.0); // a pulse that starts and ends between two drains
        await Task.Delay(100, TestContext.Current.CancellationToken);
        harness.Hardware.SetHorizontalG(0);
        var after = DateTimeOffset.UtcNow;
        var crash = await harness.TriggersAsync(TriggerSources.Crash, 1);
        await Eventually.TrueAsync(() => harness.Counters.FifoBatches >= 3, because: "two more drains");

        Assert.Single(harness.TriggersNow(TriggerSources.Crash));
        Assert.Equal("2.00", crash[0].Attributes["g"]);
        var at = harness.Sink.Snapshot().Single(e => e.Stream == TriggerEventWriter.Stream && e.Event.Attributes["source"] == TriggerSources.Crash).CapturedAt.ToDateTimeOffset();
        Assert.InRange(at, before.AddMilliseconds(-30), after.AddMilliseconds(30)); // the sample's time, not the drain's
        Assert.True(harness.Counters.AccelerometerSamples >= 10 * harness.Counters.FifoBatches,
            $"{harness.Counters.AccelerometerSamples} samples in {harness.Counters.FifoBatches} drains");
        Assert.Equal(0, harness.Counters.FifoOverflows);
        Assert.Equal(0, harness.Hardware.Accelerometer.Overflows);
    }

    [Fact]
    public async Task Ina219_SupplySagsAndRecovers_LowOnThenOffOnlyAboveHysteresis()
    {
        await using var harness = await TriggerHarness.StartAsync(Settings());

        harness.Hardware.Supply.SetBusVolts(11.2);
        var low = await harness.TriggersAsync(TriggerSources.SupplyLow, 1);
        harness.Hardware.Supply.SetBusVolts(11.7); // above the threshold, inside the hysteresis
        var seen = harness.Counters.SlowSamples;
        await Eventually.TrueAsync(() => harness.Counters.SlowSamples > seen + 2, because: "the supply was read at 11.7 V");
        Assert.Single(harness.TriggersNow(TriggerSources.SupplyLow));
        harness.Hardware.Supply.SetBusVolts(12.6);
        var both = await harness.TriggersAsync(TriggerSources.SupplyLow, 2);

        Assert.Equal("on", low[0].Attributes["state"]);
        Assert.Equal("11.20", low[0].Attributes["volts"]);
        Assert.Equal("off", both[1].Attributes["state"]);
    }

    [Fact]
    public async Task Speed_FromTheGnssFix_OnAboveThreshold_OffBelowNinetyPercent()
    {
        await using var harness = await TriggerHarness.StartAsync(Settings());

        harness.Gnss.CountFix(new GnssFix { SpeedMps = 31.0 }, DateTimeOffset.UnixEpoch);
        var on = await harness.TriggersAsync(TriggerSources.Speed, 1);
        harness.Gnss.CountFix(new GnssFix { SpeedMps = 28.0 }, DateTimeOffset.UnixEpoch);
        var seen = harness.Counters.SlowSamples;
        await Eventually.TrueAsync(() => harness.Counters.SlowSamples > seen + 2, because: "28 m/s was sampled");
        Assert.Single(harness.TriggersNow(TriggerSources.Speed));
        harness.Gnss.CountFix(new GnssFix { SpeedMps = 20.0 }, DateTimeOffset.UnixEpoch);
        var both = await harness.TriggersAsync(TriggerSources.Speed, 2);

        Assert.Equal("31.0", on[0].Attributes["speed_mps"]);
        Assert.Equal("off", both[1].Attributes["state"]);
    }

    [Fact]
    public async Task AccelerometerNotFitted_FaultCountedAndRetried_GatewayAndOtherTriggersKeepRunning()
    {
        var settings = TriggerHarness.GpioSettings();
        settings["InCarVideo:Accelerometer:Enabled"] = "true";
        settings["InCarVideo:ReopenDelay"] = "00:00:00.010";
        await using var harness = await TriggerHarness.StartAsync(settings, wiring: h => h.Unplug(h.Accelerometer));

        await Eventually.TrueAsync(() => harness.Counters.SensorFaults >= 3, because: "the missing accelerometer is retried");
        await Eventually.TrueAsync(() => harness.Hardware.Gpio.CallbackCount(17) > 0, because: "the input monitor listens for edges"); // an edge before that is missed
        harness.Hardware.SetInput("light-bar", true);
        await harness.TriggersAsync("light-bar", 1);

        var monitor = harness.Services.GetServices<Microsoft.Extensions.Hosting.IHostedService>().OfType<SensorMonitor>().Single();
        Assert.False(monitor.ExecuteTask!.IsCompleted);
    }
}
