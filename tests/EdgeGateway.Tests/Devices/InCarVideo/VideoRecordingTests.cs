using System.Globalization;
using EdgeGateway.Contracts.Evidence;
using EdgeGateway.Core;
using EdgeGateway.Devices.InCarVideo;
using EdgeGateway.Devices.InCarVideo.Recording;
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
using Microsoft.Extensions.Options;

namespace EdgeGateway.Tests.Devices.InCarVideo;

/// <summary>
/// In-car video end to end with real processes: simulated cameras (ffmpeg test patterns over UDP), the gateway's
/// recorder (ffmpeg <c>-c copy</c> into the ring, concat into the clip) and FleetControl's vault.
/// </summary>
public sealed class VideoRecordingTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static Task<IHost> StartHostAsync(Dictionary<string, string?> settings) => VideoTestRig.StartHostAsync(settings, Patience, Ct);

    private static int RingSegments(string data, string camera)
    {
        var ring = Path.Combine(data, "video", "ring", camera);
        return Directory.Exists(ring) ? Directory.GetFiles(ring, "seg-*.ts").Length : 0;
    }

    [Fact]
    public async Task Camera_NotDelivering_OneFaultAlert_ThenRecoveredWhenItStreams()
    {
        using var dir = new TempDirectory();
        var port = VideoTestRig.FreeUdpPort();
        var settings = VideoTestRig.Settings(dir.Sub("data"), "http://127.0.0.1:9");
        settings["Video:Cameras:0:Name"] = "front";
        settings["Video:Cameras:0:Url"] = $"udp://127.0.0.1:{port}?timeout=1000000"; // nothing sends yet: ffmpeg gives up after 1 s
        using var host = await StartHostAsync(settings);
        try
        {
            var sink = (CapturingSink)host.Services.GetRequiredService<IObservationSink>();
            var counters = host.Services.GetRequiredService<VideoCounters>();
            await Eventually.TrueAsync(() => counters.FaultsOf("front") >= 2, Patience, "the camera faulted and a reconnect failed too");

            await using var camera = InCarCameraSimulator.Start("front", port, Path.Combine(dir.Path, "front.log"));
            await Eventually.TrueAsync(() => sink.Envelopes.Any(e => e.Event?.Type == "video.camera_recovered"), Patience, "the camera recovered");

            var events = sink.Envelopes.Where(e => e.Stream == VideoRecorder.Stream).Select(e => e.Event.Type).ToList();
            Assert.Equal(["video.camera_fault", "video.camera_recovered"], events); // one alert per fault, however many reconnects failed
            var fault = sink.Envelopes.Single(e => e.Event?.Type == "video.camera_fault");
            Assert.Equal(EdgeGateway.Contracts.V1.PriorityClass.Alert, fault.Priority);
            Assert.Equal("front", fault.Event.Attributes["camera"]);
        }
        finally
        {
            await host.StopAsync(CancellationToken.None).WaitAsync(Patience, CancellationToken.None);
        }
    }

    private static async Task<(string Codec, double Seconds)> ProbeAsync(string file)
    {
        var info = new System.Diagnostics.ProcessStartInfo("ffprobe") { RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var arg in (string[])["-v", "error", "-select_streams", "v:0", "-show_entries", "stream=codec_name:format=duration", "-of", "default=noprint_wrappers=1", file])
        {
            info.ArgumentList.Add(arg);
        }

        using var process = System.Diagnostics.Process.Start(info)!;
        var text = await process.StandardOutput.ReadToEndAsync(Ct).WaitAsync(Patience, Ct);
        await process.WaitForExitAsync(Ct).WaitAsync(Patience, Ct);
        var fields = text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(l => l.Split('=', 2)).Where(p => p.Length == 2).ToDictionary(p => p[0], p => p[1]);
        return (fields["codec_name"], double.Parse(fields["duration"], CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task Trigger_TwoCameras_OneVerifiedClipPerCameraWithPreEventFootage_CrashExtendsIt_IgnitionOffFinalisesIt()
    {
        using var dir = new TempDirectory();
        await using var vault = await VaultHost.StartAsync(dir.Sub("vault"));
        await using var front = InCarCameraSimulator.Start("front", VideoTestRig.FreeUdpPort(), Path.Combine(dir.Path, "front.log"));
        await using var rear = InCarCameraSimulator.Start("rear", VideoTestRig.FreeUdpPort(), Path.Combine(dir.Path, "rear.log"));
        var data = dir.Sub("data");
        using var host = await StartHostAsync(VideoTestRig.Settings(data, vault.Url, front, rear));
        try
        {
            // The rings have been recording for longer than the pre-event time (and drop what is older) before anything happens.
            var counters = host.Services.GetRequiredService<VideoCounters>();
            await Eventually.TrueAsync(() => counters.Segments >= 12 && RingSegments(data, "front") >= 4 && RingSegments(data, "rear") >= 4, Patience, "the rings filled");
            Assert.InRange(RingSegments(data, "front"), 4, 7); // bounded: pre-event time plus a segment or two
            var publisher = host.Services.GetRequiredService<ITriggerPublisher>();
            var at = DateTimeOffset.UtcNow;
            publisher.Publish(new TriggerSignal(TriggerSources.LightBar, TriggerState.On, at, "gpio pin 17 active"));
            publisher.Publish(new TriggerSignal(TriggerSources.Crash, TriggerState.Pulse, at.AddMilliseconds(500), "1.60 g horizontal"));
            publisher.Publish(new TriggerSignal(TriggerSources.Ignition, TriggerState.Off, at.AddSeconds(1), "gpio pin 5 inactive")); // the light bar stays on

            var staging = VideoTestRig.Staging(data);
            var sink = (CapturingSink)host.Services.GetRequiredService<IObservationSink>();
            await Eventually.TrueAsync(() => sink.Envelopes.Any(e => e.Event?.Type == "video.incident_started"), Patience, "the incident's group activation");
            var started = Assert.Single(sink.Envelopes, e => e.Event?.Type == "video.incident_started").Event;
            var ids = started.Attributes["evidence_ids"].Split(',');
            Assert.Equal(2, ids.Length);
            await Eventually.TrueAsync(() => ids.All(id => ClipFinisher.IsDone(staging.OpenCustody(id)) && !File.Exists(staging.DataPath(id))), Patience, "both clips verified in the vault and freed on the vehicle");

            Assert.Equal(1, counters.Incidents); // the crash during the light bar extended the same incident
            Assert.Equal("front,rear", started.Attributes["cameras"]);
            Assert.Equal("BWV100001", started.Attributes["bwv_activated"]);
            foreach (var id in ids)
            {
                var chain = staging.OpenCustody(id).Entries;
                var events = chain.Select(e => e.Event).ToList();
                Assert.Equal("captured", events[0]);
                Assert.Equal(["light-bar", "crash", "ignition"], chain.Where(e => e.Event == "trigger").Select(e => RecordingOffloader.Field(e.Details, "source")));
                Assert.Equal(["finalised", "assembled", "hashed", "received", "verified", "stored", "uploaded", "verified"], events.SkipWhile(e => e != "finalised"));
                var segments = chain.Where(e => e.Event == "segment").ToList();
                Assert.InRange(segments.Count, 4, 12);
                var firstStart = DateTimeOffset.Parse(RecordingOffloader.Field(segments[0].Details, "start"), CultureInfo.InvariantCulture);
                Assert.InRange(firstStart, at.AddSeconds(-3 - 3), at.AddSeconds(-3 + 1)); // 3 s pre-event, within a segment (and the names' whole seconds)
                Assert.Equal(segments.Count, int.Parse(RecordingOffloader.Field(chain.Single(e => e.Event == "assembled").Details, "segments"), CultureInfo.InvariantCulture));
                var verification = await EvidenceVerifier.VerifyAsync(vault.Directory, id, CustodyTrust.UnsignedOnly, Ct);
                Assert.True(verification.Ok, string.Join("; ", verification.Problems));
                var (codec, seconds) = await ProbeAsync(Assert.Single(Directory.GetFiles(vault.Directory, id + "*.mp4")));
                Assert.Equal("h264", codec); // copied, not re-encoded: the camera's H.264
                Assert.InRange(seconds, segments.Count - 1.5, segments.Count + 1.5); // one key frame a second: about 1 s per segment
                Assert.False(Directory.Exists(Path.Combine(staging.ItemDirectory(id), "segments"))); // freed after the matching receipt, custody kept
            }
        }
        finally
        {
            await host.StopAsync(CancellationToken.None).WaitAsync(Patience, CancellationToken.None);
        }
    }
}
