using EdgeGateway.Contracts.V1;
using EdgeGateway.Core;
using EdgeGateway.Devices.Gnss;
using EdgeGateway.Devices.InCarVideo;
using EdgeGateway.Devices.InCarVideo.Recording;
using EdgeGateway.Devices.InCarVideo.Recording.Bearers;
using EdgeGateway.Evidence;
using EdgeGateway.Simulators.InCarCamera;
using EdgeGateway.Tests.Evidence;
using FleetControl.Evidence;
using FleetControl.Identity;
using FleetControl.Tests.Evidence;
using Grpc.AspNetCore.Server;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace EdgeGateway.Tests.Devices.InCarVideo;

/// <summary>
/// A clip that is not critical, uploading at the depot, stops when the vehicle leaves (it may not use LTE): custody
/// <c>upload-stopped</c>, <c>video.uploads_stopped_off_depot</c>, held again; back at the depot it resumes from the vault's
/// received offset and ends with a matching receipt. "Mid-upload" is made certain by the vault: its upload stream pauses
/// after the first chunk until the test lets it go, so no timing decides where the upload is.
/// </summary>
public sealed class UploadStoppedOffDepotTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task NonCriticalUpload_VehicleLeavesTheDepotMidUpload_Stops_ResumesFromTheVaultOffsetAtTheDepot()
    {
        using var dir = new TempDirectory();
        var gate = new UploadGate();
        await using var vault = await VaultHost.StartAsync(dir.Sub("vault"), configure: s =>
        {
            s.Configure<GrpcServiceOptions>(o => o.Interceptors.Add<PausingUploadInterceptor>(gate));
            // HTTP/2's smallest windows: while the vault holds the upload, the gateway can send only ~64 KiB of the clip
            // and none of the trailer, so the vehicle leaves truly mid-upload (with the default windows every byte is sent).
            s.Configure<KestrelServerOptions>(o =>
            {
                o.Limits.Http2.InitialConnectionWindowSize = 65535;
                o.Limits.Http2.InitialStreamWindowSize = 65535;
            });
        });
        await using var camera = InCarCameraSimulator.Start("front", VideoTestRig.FreeUdpPort(), Path.Combine(dir.Path, "front.log"));
        var data = dir.Sub("data");
        var settings = VideoTestRig.Settings(data, vault.Url, camera);
        settings["Evidence:ChunkBytes"] = "16384"; // the clip is several chunks
        var (gnss, In, Out) = Depot(settings);

        using var host = VideoTestRig.BuildHost(settings, gnss);
        await host.StartAsync(Ct).WaitAsync(Patience, Ct);
        try
        {
            var counters = host.Services.GetRequiredService<VideoCounters>();
            var staging = VideoTestRig.Staging(data);

            // 1: a light-bar clip on patrol is held for the depot.
            var id = await HoldOneClipAsync(host);
            var size = long.Parse(RecordingOffloader.Field(staging.OpenCustody(id).Entries.Last(e => e.Event == "hashed").Details, "size"), System.Globalization.CultureInfo.InvariantCulture);
            Assert.True(size > 2 * 16384, $"the clip ({size} bytes) is more than two chunks");

            // 2: in the yard the upload starts; the vault holds it after the first chunk.
            In();
            await gate.Paused.Task.WaitAsync(Patience, Ct);
            await Eventually.TrueAsync(() => counters.Held == 0, Patience, "the clip released from the hold");

            // 3: the vehicle drives off mid-upload: the upload stops, the clip is held again, nothing is in the vault.
            Out();
            await Eventually.TrueAsync(() => staging.OpenCustody(id).Entries.Any(e => e.Event == "upload-stopped") && counters.Held == 1, Patience, "the upload stopped and held");
            var stopped = staging.OpenCustody(id).Entries.Single(e => e.Event == "upload-stopped");
            Assert.Equal("depot", RecordingOffloader.Field(stopped.Details, "waitsFor"));
            Assert.Equal("False", RecordingOffloader.Field(stopped.Details, "critical"));
            Assert.Equal(1UL, Report(counters)["video.uploads_stopped_off_depot"]);
            Assert.True(long.Parse(RecordingOffloader.Field(stopped.Details, "writtenUpTo"), System.Globalization.CultureInfo.InvariantCulture) < size, "stopped before every byte was sent");
            Assert.False(ClipFinisher.IsDone(staging.OpenCustody(id)));
            Assert.True(File.Exists(staging.DataPath(id)), "the clip stays staged");
            Assert.Equal(1, gate.Calls);

            // 4: back at the depot it resumes from the vault's offset (the first chunk) and ends with a matching receipt.
            // The paused call must be over first: released while the server had not yet seen the client go (a busy
            // machine), it read the chunks already in its buffers and the vault held more than the first chunk.
            await gate.FirstEnded.Task.WaitAsync(Patience, Ct);
            gate.Resume.TrySetResult();
            In();
            await Eventually.TrueAsync(() => ClipFinisher.IsDone(staging.OpenCustody(id)), Patience, "the clip verified in the vault");
            var chain = staging.OpenCustody(id).Entries;
            Assert.Equal(["hashed", "held", "upload-stopped"], chain.Select(e => e.Event).SkipWhile(e => e != "hashed").Take(3));
            var uploaded = chain.Single(e => e.Event == "uploaded");
            Assert.Equal("16384", RecordingOffloader.Field(uploaded.Details, "resumedFrom"));
            Assert.Equal((size - 16384).ToString(System.Globalization.CultureInfo.InvariantCulture), RecordingOffloader.Field(uploaded.Details, "sentThisRun"));
            Assert.Equal(2, gate.Calls);
            await Eventually.TrueAsync(() => counters.Held == 0, Patience, "nothing held");
            var verification = await EvidenceVerifier.VerifyAsync(vault.Directory, id, CustodyTrust.UnsignedOnly, Ct);
            Assert.True(verification.Ok, string.Join("; ", verification.Problems));
        }
        finally
        {
            await host.StopAsync(CancellationToken.None).WaitAsync(Patience, CancellationToken.None);
        }
    }

    [Fact]
    public async Task VehicleLeavesTheDepotAfterTheWholeClipWasSent_TheReceiptIsStillAwaitedAndRecorded()
    {
        using var dir = new TempDirectory();
        var gate = new UploadGate();
        await using var vault = await VaultHost.StartAsync(dir.Sub("vault"), configure: s =>
            s.Configure<GrpcServiceOptions>(o => o.Interceptors.Add<TrailerPausingUploadInterceptor>(gate)));
        await using var camera = InCarCameraSimulator.Start("front", VideoTestRig.FreeUdpPort(), Path.Combine(dir.Path, "front.log"));
        var data = dir.Sub("data");
        var settings = VideoTestRig.Settings(data, vault.Url, camera);
        var (gnss, In, Out) = Depot(settings);

        using var host = VideoTestRig.BuildHost(settings, gnss);
        await host.StartAsync(Ct).WaitAsync(Patience, Ct);
        try
        {
            var counters = host.Services.GetRequiredService<VideoCounters>();
            var staging = VideoTestRig.Staging(data);

            // 1: a light-bar clip on patrol is held for the depot.
            var id = await HoldOneClipAsync(host);

            // In the yard the whole clip and its trailer go out; the vault holds its answer.
            In();
            await gate.Paused.Task.WaitAsync(Patience, Ct);

            // The vehicle drives off while the receipt is awaited. This handler runs after the recorder's own (it was
            // added later), so once it has seen the change the upload was told to stop.
            var left = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            host.Services.GetRequiredService<DepotDetector>().Changed += at =>
            {
                if (!at)
                {
                    left.TrySetResult();
                }
            };
            Out();
            await left.Task.WaitAsync(Patience, Ct);
            gate.Resume.TrySetResult();

            await Eventually.TrueAsync(() => ClipFinisher.IsDone(staging.OpenCustody(id)), Patience, "the clip verified in the vault");
            Assert.DoesNotContain(staging.OpenCustody(id).Entries, e => e.Event == "upload-stopped");
            Assert.Equal(0UL, Report(counters)["video.uploads_stopped_off_depot"]);
            Assert.Equal(1, gate.Calls);
            var verification = await EvidenceVerifier.VerifyAsync(vault.Directory, id, CustodyTrust.UnsignedOnly, Ct);
            Assert.True(verification.Ok, string.Join("; ", verification.Problems));
        }
        finally
        {
            await host.StopAsync(CancellationToken.None).WaitAsync(Patience, CancellationToken.None);
        }
    }

    /// <summary>
    /// The depot: the loopback network and a 200 m geofence in Westminster, checked every 200 ms; and the vehicle's GNSS
    /// position, on patrol (~11 km out) until <c>In</c> moves it into the yard and <c>Out</c> back out.
    /// </summary>
    private static (GnssCounters Gnss, Action In, Action Out) Depot(Dictionary<string, string?> settings)
    {
        settings["Video:Depot:Networks:0"] = "127.0.0.0/8";
        settings["Video:Depot:Geofences:0:Latitude"] = "51.5007";
        settings["Video:Depot:Geofences:0:Longitude"] = "-0.1246";
        settings["Video:Depot:Geofences:0:RadiusMetres"] = "200";
        settings["Video:Depot:CheckInterval"] = "00:00:00.200";
        var gnss = new GnssCounters();
        void Out() => gnss.CountFix(new GnssFix { Mode = FixMode._3D, Latitude = 51.60, Longitude = -0.20 }, DateTimeOffset.UtcNow);
        void In() => gnss.CountFix(new GnssFix { Mode = FixMode._3D, Latitude = 51.5008, Longitude = -0.1247 }, DateTimeOffset.UtcNow);
        Out();
        return (gnss, In, Out);
    }

    /// <summary>Once the ring records, a light-bar pulse on patrol: its clip (not critical) is staged and held for the depot. Returns its evidence id.</summary>
    private static async Task<string> HoldOneClipAsync(Microsoft.Extensions.Hosting.IHost host)
    {
        var counters = host.Services.GetRequiredService<VideoCounters>();
        var sink = (CapturingSink)host.Services.GetRequiredService<IObservationSink>();
        await Eventually.TrueAsync(() => counters.Segments >= 4, Patience, "the ring recording");
        host.Services.GetRequiredService<ITriggerPublisher>().Publish(new TriggerSignal(TriggerSources.LightBar, TriggerState.Pulse, DateTimeOffset.UtcNow, "gpio pin 17 pulse"));
        await Eventually.TrueAsync(() => counters.Held == 1, Patience, "the light-bar clip held for the depot");
        return sink.Envelopes.Single(e => e.Event?.Type == "video.incident_started").Event.Attributes["evidence_ids"];
    }

    private static Google.Protobuf.Collections.MapField<string, ulong> Report(VideoCounters counters)
    {
        var report = new HealthReport();
        counters.Contribute(report);
        return report.Counters;
    }

    /// <summary>Pauses the vault's first upload after its first chunk, until <see cref="Resume"/> (or the caller cancels).</summary>
    internal sealed class UploadGate
    {
        private int _calls;

        public TaskCompletionSource Paused { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Resume { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>Completes when the vault's first upload call has ended (the paused one, once the client is gone).</summary>
        public TaskCompletionSource FirstEnded { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>Upload calls the vault received.</summary>
        public int Calls => Volatile.Read(ref _calls);

        public int Called() => Interlocked.Increment(ref _calls);
    }

    internal sealed class PausingUploadInterceptor(UploadGate gate) : Interceptor
    {
        public override async Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(
            IAsyncStreamReader<TRequest> requestStream, ServerCallContext context, ClientStreamingServerMethod<TRequest, TResponse> continuation)
        {
            var call = gate.Called();
            try
            {
                return await continuation(call == 1 ? new PausingReader<TRequest>(requestStream, gate) : requestStream, context).ConfigureAwait(false);
            }
            finally
            {
                if (call == 1)
                {
                    gate.FirstEnded.TrySetResult();
                }
            }
        }
    }

    /// <summary>Pauses the vault's first upload once it has read the trailer (every byte has arrived), until <see cref="UploadGate.Resume"/>.</summary>
    internal sealed class TrailerPausingUploadInterceptor(UploadGate gate) : Interceptor
    {
        public override Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(
            IAsyncStreamReader<TRequest> requestStream, ServerCallContext context, ClientStreamingServerMethod<TRequest, TResponse> continuation) =>
            continuation(gate.Called() == 1 ? new TrailerPausingReader<TRequest>(requestStream, gate) : requestStream, context);
    }

    private sealed class TrailerPausingReader<T>(IAsyncStreamReader<T> inner, UploadGate gate) : IAsyncStreamReader<T>
    {
        public T Current => inner.Current;

        public async Task<bool> MoveNext(CancellationToken cancellationToken)
        {
            var more = await inner.MoveNext(cancellationToken).ConfigureAwait(false);
            if (more && inner.Current is UploadRequest { PartCase: UploadRequest.PartOneofCase.Trailer })
            {
                gate.Paused.TrySetResult();
                await gate.Resume.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
            }

            return more;
        }
    }

    private sealed class PausingReader<T>(IAsyncStreamReader<T> inner, UploadGate gate) : IAsyncStreamReader<T>
    {
        private int _reads;

        public T Current => inner.Current;

        public async Task<bool> MoveNext(CancellationToken cancellationToken)
        {
            if (++_reads == 3) // the header and the first chunk were handed to the vault, which wrote the chunk
            {
                gate.Paused.TrySetResult();
                await gate.Resume.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
            }

            return await inner.MoveNext(cancellationToken).ConfigureAwait(false);
        }
    }
}
