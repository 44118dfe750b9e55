using System.Globalization;
using EdgeGateway.Core;
using EdgeGateway.Devices.InCarVideo;
using EdgeGateway.Devices.InCarVideo.Recording;
using EdgeGateway.Evidence;
using EdgeGateway.Simulators.InCarCamera;
using EdgeGateway.Tests.Evidence;
using FleetControl.Evidence;
using FleetControl.Identity;
using FleetControl.Tests.Evidence;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace EdgeGateway.Tests.Devices.InCarVideo;

/// <summary>
/// Ignition-off on the real vehicle gateway process, driven by the simulated harness (a <c>GpioDriver</c> subclass playing
/// a scenario): recording goes on through the post-event time, the clip is finalised and staged, and the gateway stops by
/// itself (exit 0, which systemd's Restart=on-failure leaves stopped); the next start, with the ignition still off (a depot
/// Wake-on-LAN), resumes the upload and powers down again by itself once the clip is in the vault.
/// </summary>
public sealed class IgnitionPowerDownTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task IgnitionOff_RecordsPostEventFlushesAndStopsTheGateway_NextStartWithIgnitionOffUploadsTheClipAndStopsAgain()
    {
        using var dir = new TempDirectory();
        await using var vault = await VaultHost.StartAsync(dir.Sub("vault"));
        await using var camera = InCarCameraSimulator.Start("front", VideoTestRig.FreeUdpPort(), Path.Combine(dir.Path, "front.log"));
        var data = dir.Sub("data");
        var scenario = Path.Combine(dir.Path, "scenario.txt");
        await File.WriteAllLinesAsync(scenario, ["0s ignition on", "3s light-bar on", "5s ignition off"], Ct); // on at start-up; the light bar stays on
        var settings = VideoTestRig.VehicleProcessSettings(data, vault.Url, camera, scenario, ("light-bar", 17), ("ignition", 5));
        settings["Video:Depot:Networks:0"] = "192.0.2.0/24"; // on the road: the route to the vault is not the depot's
        settings["Video:Depot:CheckInterval"] = "00:00:00.200";
        settings["Video:PowerDown:Delay"] = "00:01:00"; // a cap the test never reaches: the stop comes from the flush
        var staging = VideoTestRig.Staging(data);
        string Clip() => staging.ItemIds().SingleOrDefault() ?? string.Empty;

        // 1: ignition off with the light bar on: the post-event time is recorded, the clip finalised, sealed and held
        // for the depot (not critical), and the gateway stops by itself.
        await using (var first = GatewayProcess.Start(settings, dir.Sub("run1")))
        {
            await first.WaitForExitAsync(Ct).WaitAsync(Patience, Ct);
            Assert.Equal(0, first.ExitCode);
            Assert.Contains("Stopping the gateway to protect the vehicle battery", first.Log, StringComparison.Ordinal);
        }

        var id = Clip();
        var chain = staging.OpenCustody(id).Entries;
        Assert.Equal(["light-bar", "ignition"], chain.Where(e => e.Event == "trigger").Select(e => RecordingOffloader.Field(e.Details, "source")));
        Assert.Equal(["finalised", "assembled", "hashed", "held"], chain.Select(e => e.Event).SkipWhile(e => e != "finalised"));
        var ignitionOff = DateTimeOffset.Parse(chain.Single(e => e.Event == "trigger" && RecordingOffloader.Field(e.Details, "source") == "ignition").At, CultureInfo.InvariantCulture);
        var lastEnd = DateTimeOffset.Parse(RecordingOffloader.Field(chain.Last(e => e.Event == "segment").Details, "end"), CultureInfo.InvariantCulture);
        Assert.True(lastEnd >= ignitionOff.AddSeconds(2 - 1), $"the post-event time after ignition-off was recorded: last segment ends {lastEnd:O}, ignition off {ignitionOff:O}");
        Assert.True(File.Exists(staging.DataPath(id)), "the finalised clip is staged, not deleted");
        Assert.Empty(Directory.GetFiles(vault.Directory, id + "*"));

        // 2: the next start is a depot Wake-on-LAN with the ignition still off (no scenario: every input inactive at
        // start-up): the ignition reads off, which arms the power-down; the held clip uploads in the depot's network with
        // a matching receipt, and then the gateway stops by itself again, well within the delay.
        settings.Remove("InCarVideo:ScenarioFile");
        settings["Video:Depot:Networks:0"] = "127.0.0.0/8";
        await using (var second = GatewayProcess.Start(settings, dir.Sub("run2")))
        {
            await second.WaitForExitAsync(Ct).WaitAsync(Patience, Ct);
            Assert.Equal(0, second.ExitCode);
            Assert.Contains("Ignition off: recording through the post-event time", second.Log, StringComparison.Ordinal); // armed by the level read at start-up
            Assert.Contains("recording finalised and every clip that may upload now is in the vault", second.Log, StringComparison.Ordinal);
            Assert.True(ClipFinisher.IsDone(staging.OpenCustody(id)), "the clip was verified in the vault before the power-down");
        }

        Assert.Equal(id, Clip());
        Assert.Single(staging.OpenCustody(id).Entries, e => e.Event == "assembled"); // finalised once, not assembled again
        var verification = await EvidenceVerifier.VerifyAsync(vault.Directory, id, CustodyTrust.UnsignedOnly, Ct);
        Assert.True(verification.Ok, string.Join("; ", verification.Problems));
    }

    [Fact]
    public async Task IgnitionOff_BatteryDelayShorterThanPostEvent_FinalisesTheOpenIncidentAndStops()
    {
        using var dir = new TempDirectory();
        await using var camera = InCarCameraSimulator.Start("front", VideoTestRig.FreeUdpPort(), Path.Combine(dir.Path, "front.log"));
        var data = dir.Sub("data");
        var settings = VideoTestRig.Settings(data, "http://127.0.0.1:9", camera);
        settings["Video:PostEvent"] = "00:05:00"; // longer than the battery allows
        settings["Video:PowerDown:Delay"] = "00:00:02";
        using var host = VideoTestRig.BuildHost(settings);
        var stopping = new TaskCompletionSource();
        host.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping.Register(() => stopping.TrySetResult());
        await host.StartAsync(Ct).WaitAsync(Patience, Ct);
        try
        {
            var publisher = host.Services.GetRequiredService<ITriggerPublisher>();
            var sink = (CapturingSink)host.Services.GetRequiredService<IObservationSink>();
            var counters = host.Services.GetRequiredService<VideoCounters>();
            // Footage in the ring first: a clip with no segment is "empty", done at once, and its incident json goes.
            await Eventually.TrueAsync(() => counters.Segments >= 2, Patience, "the ring recording");
            publisher.Publish(new TriggerSignal(TriggerSources.LightBar, TriggerState.On, DateTimeOffset.UtcNow, "gpio pin 17 active"));
            await Eventually.TrueAsync(() => sink.Envelopes.Any(e => e.Event?.Type == "video.incident_started"), Patience, "the incident");
            publisher.Publish(new TriggerSignal(TriggerSources.Ignition, TriggerState.Off, DateTimeOffset.UtcNow, "gpio pin 5 inactive"));

            await stopping.Task.WaitAsync(Patience, Ct); // the gateway stops itself at the delay, not after the 5 min post-event time
            var id = sink.Envelopes.Single(e => e.Event?.Type == "video.incident_started").Event.Attributes["evidence_ids"];
            var staging = VideoTestRig.Staging(data);
            var finalised = Assert.Single(staging.OpenCustody(id).Entries, e => e.Event == "finalised");
            Assert.Equal("battery-protection_delay_reached_after_ignition-off", RecordingOffloader.Field(finalised.Details, "reason"));
            var incident = Assert.Single(Directory.GetFiles(Path.Combine(data, "video", "incidents"), "*.json"));
            Assert.Contains("\"closed\": true", await File.ReadAllTextAsync(incident, Ct), StringComparison.Ordinal); // the next start uploads it
        }
        finally
        {
            await host.StopAsync(CancellationToken.None).WaitAsync(Patience, CancellationToken.None);
        }
    }
}
