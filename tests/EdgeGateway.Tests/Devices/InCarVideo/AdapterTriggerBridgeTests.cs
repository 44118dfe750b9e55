using EdgeGateway.Devices.Anpr;
using EdgeGateway.Devices.InCarVideo;
using EdgeGateway.Devices.Tetra;
using Microsoft.Extensions.DependencyInjection;

namespace EdgeGateway.Tests.Devices.InCarVideo;

public sealed class AdapterTriggerBridgeTests
{
    [Fact]
    public async Task AnprHitAndRadioEmergency_BecomeRecordingTriggerPulses()
    {
        var feed = new AnprHitFeed();
        var radio = new Radio();
        await using var harness = await TriggerHarness.StartAsync(new Dictionary<string, string?>(), configure: services => services
            .AddSingleton<IAnprHitSource>(feed)
            .AddSingleton<IRadioEmergencySource>(radio));

        feed.Publish(new AnprHitNotice("read-1", "AB12CDE", "AB12CDE", "stolen", "reported stolen", [], "exact", "anpr-front",
            new DateTimeOffset(2026, 12, 1, 9, 0, 0, TimeSpan.Zero), 51.8, -0.08, 7));
        radio.Press(new RadioEmergency("tetra", "1234567", 32768, DateTimeOffset.UtcNow, "m-1"));

        var hit = Assert.Single(await harness.TriggersAsync(TriggerSources.AnprHit, 1));
        var emergency = Assert.Single(await harness.TriggersAsync(TriggerSources.RadioEmergency, 1));
        Assert.Equal("pulse", hit.Attributes["state"]);
        Assert.Equal("AB12CDE", hit.Attributes["vrm"]);
        Assert.Equal("stolen", hit.Attributes["list"]);
        Assert.Equal("anpr-front", hit.Attributes["anpr_camera"]);
        Assert.Equal("pulse", emergency.Attributes["state"]);
        Assert.Equal("1234567", emergency.Attributes["identity"]);
        Assert.Equal(1, harness.Counters.TriggersOf(TriggerSources.AnprHit));
        Assert.Equal(1, harness.Counters.TriggersOf(TriggerSources.RadioEmergency));
    }

    /// <summary>The radio seam as the TETRA adapter raises it (the adapter itself needs a PEI terminal).</summary>
    private sealed class Radio : IRadioEmergencySource
    {
        public event Action<RadioEmergency>? EmergencyRaised;

        public void Press(RadioEmergency emergency) => EmergencyRaised?.Invoke(emergency);
    }
}
