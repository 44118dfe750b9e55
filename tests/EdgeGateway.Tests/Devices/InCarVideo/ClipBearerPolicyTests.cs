using System.Net;
using EdgeGateway.Contracts.V1;
using EdgeGateway.Core;
using EdgeGateway.Devices.Gnss;
using EdgeGateway.Devices.InCarVideo;
using EdgeGateway.Devices.InCarVideo.Recording;
using EdgeGateway.Devices.InCarVideo.Recording.Bearers;
using EdgeGateway.Evidence;
using EdgeGateway.Hosting;
using EdgeGateway.Simulators.InCarCamera;
using EdgeGateway.Tests.Evidence;
using FleetControl.Evidence;
using FleetControl.Identity;
using FleetControl.Tests.Evidence;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace EdgeGateway.Tests.Devices.InCarVideo;

/// <summary>
/// The clip bearer policy: critical clips go over LTE, the rest wait staged for the depot (its network, by the host's
/// route to FleetControl, and/or a GNSS geofence), never deleted before a matching receipt.
/// </summary>
public sealed class ClipBearerPolicyTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(false, false, false, null, true, "")] // no depot configured: the policy is off
    [InlineData(true, false, false, null, false, "depot")]
    [InlineData(true, false, false, true, false, "depot")] // LTE up is not enough for a clip that is not critical
    [InlineData(true, true, false, false, true, "")] // at the depot everything goes
    [InlineData(true, false, true, null, true, "")] // critical: over LTE (no modem read: LTE assumed)
    [InlineData(true, false, true, true, true, "")]
    [InlineData(true, false, true, false, false, "lte")] // critical, the modem has no bearer, not at the depot
    public void Decide_CriticalOverLte_RestAtTheDepot(bool active, bool atDepot, bool critical, bool? lteUp, bool allowed, string waitsFor)
    {
        Assert.Equal((allowed, waitsFor), ClipBearerPolicy.Decide(active, atDepot, critical, lteUp));
    }

    [Fact]
    public async Task DepotNetwork_RouteToFleetControlLeavesFromInsideIt_AtDepot_OtherwiseNot()
    {
        // The kernel's own route lookup (a UDP connect sends nothing): 127.0.0.1 is reached from the loopback network.
        Assert.Equal(IPAddress.Loopback, await DepotDetector.RouteSourceAsync("http://127.0.0.1:5000", Ct));
        Assert.True(await Detector(["192.0.2.0/24", "127.0.0.0/8"]).CheckAsync(Ct));
        Assert.False(await Detector(["192.0.2.0/24"]).CheckAsync(Ct)); // TEST-NET-1: the route is not on the depot network
        Assert.Null(await DepotDetector.RouteSourceAsync("http://name.invalid:5000", Ct)); // no address: not at the depot

        static DepotDetector Detector(string[] networks) => new(
            Options.Create(new VideoOptions { Depot = new DepotOptions { Networks = networks } }),
            Options.Create(new GatewayOptions { FleetControlUrl = "http://127.0.0.1:5000" }),
            new VideoCounters(), TimeProvider.System, NullLogger<DepotDetector>.Instance);
    }

    [Fact]
    public void DepotOptions_BadNetworkOrGeofence_NamedAtStartUp()
    {
        var options = new VideoOptions
        {
            Enabled = true,
            Cameras = [new CameraOptions { Name = "front", Url = "udp://127.0.0.1:1" }],
            Depot = new DepotOptions { Networks = ["10.40.0.0/16", "depot-wifi"], Geofences = [new DepotGeofence { Latitude = 95, Longitude = 0 }] },
        };
        var problems = options.Validate(new System.ComponentModel.DataAnnotations.ValidationContext(options)).Select(r => r.ErrorMessage).ToList();
        Assert.Equal(2, problems.Count);
        Assert.Contains("Video:Depot:Networks:1 'depot-wifi'", problems[0], StringComparison.Ordinal);
        Assert.Contains("Video:Depot:Geofences:0", problems[1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task NonCriticalClip_HeldWhileOnlyLte_UploadsWhenTheDepotAppears_CriticalClipGoesOverLteMeanwhile()
    {
        using var dir = new TempDirectory();
        await using var vault = await VaultHost.StartAsync(dir.Sub("vault"));
        await using var camera = InCarCameraSimulator.Start("front", VideoTestRig.FreeUdpPort(), Path.Combine(dir.Path, "front.log"));
        var data = dir.Sub("data");
        var settings = VideoTestRig.Settings(data, vault.Url, camera);
        settings["Video:Depot:Networks:0"] = "127.0.0.0/8"; // the route to the vault is the depot network...
        settings["Video:Depot:Geofences:0:Latitude"] = "51.5007"; // ...and the yard is here: both must hold
        settings["Video:Depot:Geofences:0:Longitude"] = "-0.1246";
        settings["Video:Depot:Geofences:0:RadiusMetres"] = "200";
        settings["Video:Depot:CheckInterval"] = "00:00:00.200";
        var gnss = new GnssCounters();
        gnss.CountFix(new GnssFix { Mode = FixMode._3D, Latitude = 51.60, Longitude = -0.20 }, DateTimeOffset.UtcNow); // on patrol, ~11 km out

        using var host = VideoTestRig.BuildHost(settings, gnss);
        await host.StartAsync(Ct).WaitAsync(Patience, Ct);
        try
        {
            var counters = host.Services.GetRequiredService<VideoCounters>();
            var publisher = host.Services.GetRequiredService<ITriggerPublisher>();
            var sink = (CapturingSink)host.Services.GetRequiredService<IObservationSink>();
            var staging = VideoTestRig.Staging(data);
            await Eventually.TrueAsync(() => counters.Segments >= 4, Patience, "the ring recording");
            string[] Clips() => sink.Envelopes.Where(e => e.Event?.Type == "video.incident_started").Select(e => e.Event.Attributes["evidence_ids"]).ToArray();

            // 1: a light bar (not critical) on patrol: the clip is assembled, sealed and held, nothing reaches the vault.
            publisher.Publish(new TriggerSignal(TriggerSources.LightBar, TriggerState.Pulse, DateTimeOffset.UtcNow, "gpio pin 17 pulse"));
            await Eventually.TrueAsync(() => Clips().Length == 1, Patience, "the first incident");
            var routine = Clips()[0];
            await Eventually.TrueAsync(() => counters.Held == 1, Patience, "the light-bar clip held for the depot");
            var chain = staging.OpenCustody(routine).Entries;
            Assert.Equal(["finalised", "assembled", "hashed", "held"], chain.Select(e => e.Event).SkipWhile(e => e != "finalised"));
            Assert.Equal("depot", RecordingOffloader.Field(chain[^1].Details, "waitsFor"));
            Assert.True(File.Exists(staging.DataPath(routine)), "a held clip stays staged");
            Assert.Empty(Directory.GetFiles(vault.Directory, routine + "*"));

            // 2: a crash (critical) while still on patrol: its clip goes over LTE at once; the first stays held.
            publisher.Publish(new TriggerSignal(TriggerSources.Crash, TriggerState.Pulse, DateTimeOffset.UtcNow, "1.60 g horizontal"));
            await Eventually.TrueAsync(() => Clips().Length == 2, Patience, "the second incident");
            var critical = Clips()[1];
            await Eventually.TrueAsync(() => ClipFinisher.IsDone(staging.OpenCustody(critical)), Patience, "the crash clip verified in the vault over LTE");
            Assert.DoesNotContain(staging.OpenCustody(critical).Entries, e => e.Event == "held");
            Assert.Equal(1, counters.Held);
            Assert.False(ClipFinisher.IsDone(staging.OpenCustody(routine)));
            Assert.Equal(0UL, Report(counters)["video.at_depot"]);

            // 3: back in the yard: the depot appears and the held clip goes, with a matching receipt.
            gnss.CountFix(new GnssFix { Mode = FixMode._3D, Latitude = 51.5008, Longitude = -0.1247 }, DateTimeOffset.UtcNow);
            await Eventually.TrueAsync(() => ClipFinisher.IsDone(staging.OpenCustody(routine)) && !File.Exists(staging.DataPath(routine)), Patience, "the held clip uploaded at the depot");
            Assert.Equal(["finalised", "assembled", "hashed", "held", "received", "verified", "stored", "uploaded", "verified"],
                staging.OpenCustody(routine).Entries.Select(e => e.Event).SkipWhile(e => e != "finalised"));
            await Eventually.TrueAsync(() => counters.Held == 0, Patience, "nothing held");
            Assert.Equal(1UL, Report(counters)["video.at_depot"]);
            foreach (var id in (string[])[routine, critical])
            {
                var verification = await EvidenceVerifier.VerifyAsync(vault.Directory, id, CustodyTrust.UnsignedOnly, Ct);
                Assert.True(verification.Ok, string.Join("; ", verification.Problems));
            }
        }
        finally
        {
            await host.StopAsync(CancellationToken.None).WaitAsync(Patience, CancellationToken.None);
        }
    }

    private static Google.Protobuf.Collections.MapField<string, ulong> Report(VideoCounters counters)
    {
        var report = new HealthReport();
        counters.Contribute(report);
        return report.Counters;
    }
}
