using EdgeGateway.Contracts.V1;
using EdgeGateway.Devices.InCarVideo;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace EdgeGateway.Tests.Devices.InCarVideo;

public sealed class TriggerSeamTests
{
    [Fact]
    public async Task Disabled_NoHarnessServices_ButOtherAdaptersCanStillPublish()
    {
        await using var harness = await TriggerHarness.StartAsync(new Dictionary<string, string?>());

        harness.Publisher.Publish(new TriggerSignal(TriggerSources.AnprHit, TriggerState.Pulse, DateTimeOffset.UnixEpoch, "VRM AB12CDE on hotlist", new Dictionary<string, string> { ["vrm"] = "AB12CDE" }));
        var hit = await harness.TriggersAsync(TriggerSources.AnprHit, 1);

        Assert.DoesNotContain(harness.Services.GetServices<IHostedService>(), s => s is DiscreteInputMonitor or SensorMonitor);
        Assert.Equal("AB12CDE", hit[0].Attributes["vrm"]);
        Assert.Equal("pulse", hit[0].Attributes["state"]);
    }

    [Fact]
    public void ToEnvelope_CarriesSourceStateTimeAndEventClass()
    {
        var at = new DateTimeOffset(2026, 12, 1, 7, 0, 0, TimeSpan.Zero);

        var envelope = TriggerEventWriter.ToEnvelope(new TriggerSignal(TriggerSources.RadioEmergency, TriggerState.On, at, "emergency from ISSI 1234"));

        Assert.Equal(PriorityClass.Event, envelope.Priority);
        Assert.Equal("video-trigger", envelope.Stream);
        Assert.Equal(at, envelope.CapturedAt.ToDateTimeOffset());
        Assert.Equal("radio-emergency", envelope.Event.Attributes["source"]);
        Assert.Equal("on", envelope.Event.Attributes["state"]);
        Assert.Equal("radio-emergency on: emergency from ISSI 1234", envelope.Event.Detail);
    }

    [Fact]
    public async Task Options_DuplicatePinOrSourceOrBadScenario_RefusedNamingTheSetting()
    {
        using var dir = new EdgeGateway.Testing.TempDirectory();
        var scenario = Path.Combine(dir.Path, "scenario.txt");
        await File.WriteAllLinesAsync(scenario, ["10s light-bar on", "soon siren on", "20s wipers on", "30s accel lots"], TestContext.Current.CancellationToken);
        var settings = TriggerHarness.GpioSettings();
        settings["InCarVideo:Inputs:1:Pin"] = "17";
        settings["InCarVideo:Inputs:2:Source"] = "light-bar";
        settings["InCarVideo:ScenarioFile"] = scenario;

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => TriggerHarness.StartAsync(settings));

        var text = string.Join("\n", error.Failures);
        Assert.Contains("InCarVideo:Inputs:1:Pin 17 is used by two inputs", text, StringComparison.Ordinal);
        Assert.Contains("InCarVideo:Inputs:2:Source 'light-bar' is configured twice", text, StringComparison.Ordinal);
        Assert.Contains("line 2: 'soon' is not an offset", text, StringComparison.Ordinal);
        Assert.Contains("line 3: 'wipers' is neither accel, supply nor a configured input", text, StringComparison.Ordinal);
        Assert.Contains("line 4: accel takes a number", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ScenarioPlayer_PlaysLightBarCrashAndIgnition_InOrder()
    {
        using var dir = new EdgeGateway.Testing.TempDirectory();
        var scenario = Path.Combine(dir.Path, "scenario.txt");
        // Steps 0.7 s apart: each input has its own path (GPIO edge + debounce, accelerometer sampling), and on a loaded
        // machine one path's thread can run a few hundred ms late; what is checked is the scenario's order, not a race.
        await File.WriteAllLinesAsync(scenario, ["# lights, a crash, then the button", "0.1s light-bar on", "800ms accel 1.8", "1.5s officer-button press", "2.2s light-bar off"], TestContext.Current.CancellationToken);
        var settings = TriggerHarness.GpioSettings();
        settings["InCarVideo:ScenarioFile"] = scenario;
        settings["InCarVideo:Accelerometer:Enabled"] = "true";
        settings["InCarVideo:Accelerometer:SampleInterval"] = "00:00:00.005";
        settings["InCarVideo:Accelerometer:Fifo"] = "false"; // every sample read as it is taken
        settings["InCarVideo:Debounce"] = "00:00:00.050";

        await using var harness = await TriggerHarness.StartAsync(settings);
        var all = await harness.Sink.WaitUntilAsync(e => e.Count(x => x.Stream == TriggerEventWriter.Stream) >= 4, TriggerHarness.Timeout);

        // In the order the inputs changed (the events' capture times), which is the incident's timeline.
        var order = all.Where(e => e.Stream == TriggerEventWriter.Stream).OrderBy(e => e.CapturedAt)
            .Select(e => e.Event.Attributes["source"] + ":" + e.Event.Attributes["state"]).ToArray();
        Assert.Equal(["light-bar:on", "crash:pulse", "officer-button:pulse", "light-bar:off"], order);
    }
}
