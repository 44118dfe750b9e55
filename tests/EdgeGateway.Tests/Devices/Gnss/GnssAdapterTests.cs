using EdgeGateway.Contracts.V1;
using EdgeGateway.Devices.Gnss;
using EdgeGateway.Transport;

namespace EdgeGateway.Tests.Devices.Gnss;

public sealed class GnssAdapterTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    /// <summary>Each connection replays the same capture and then ends (EOF), so the adapter must reconnect.</summary>
    private sealed class ReplayConnector(byte[] capture) : IByteSourceConnector
    {
        public string Description => "replay";

        public ValueTask<ByteSourceConnection> ConnectAsync(CancellationToken cancellationToken) =>
            ValueTask.FromResult(new ByteSourceConnection(new MemoryStream(capture, writable: false)));
    }

    private sealed class FailingConnector : IByteSourceConnector
    {
        public int Attempts;

        public string Description => "nowhere";

        public ValueTask<ByteSourceConnection> ConnectAsync(CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref Attempts);
            throw new IOException("no such device");
        }
    }

    [Fact]
    public async Task ExecuteAsync_Capture_ForwardsTelemetryEnvelopesWithGnssTime()
    {
        var capture = NmeaCaptureDecoder.StripComments(File.ReadAllBytes(GnssTestData.PathOf("com-1289.log")));
        await using var harness = new GnssAdapterHarness(new ReplayConnector(capture));
        await harness.StartAsync();

        var envelopes = await harness.Sink.WaitUntilAsync(e => e.Count >= 14, Timeout);

        var first = envelopes[0];
        Assert.Equal("gnss", first.Stream);
        Assert.Equal(PriorityClass.Telemetry, first.Priority);
        Assert.Equal(TimeSource.Gnss, first.TimeSource);
        Assert.Equal(new DateTimeOffset(2007, 10, 12, 14, 37, 48, 770, TimeSpan.Zero), first.CapturedAt.ToDateTimeOffset());
        Assert.Equal(first.CapturedAt, first.Position.FixTime);
        Assert.Equal(48.106218333, first.Position.Latitude, 6);
        Assert.Equal(-1.643695, first.Position.Longitude, 6);
        Assert.Equal(42.2, first.Position.AltitudeM);
        Assert.Equal(FixMode._3D, first.Position.Mode);
        Assert.Equal(10u, first.Position.SatellitesUsed);
        Assert.True(first.Position.HasHdop);
    }

    [Fact]
    public async Task ExecuteAsync_EndOfStream_ReconnectsAndCountsRejects()
    {
        var capture = NmeaCaptureDecoder.StripComments(File.ReadAllBytes(GnssTestData.PathOf("com-1289.log")));
        await using var harness = new GnssAdapterHarness(new ReplayConnector(capture));
        await harness.StartAsync();

        await harness.WaitForAsync(c => c.Transport.Connects >= 3, Timeout);

        Assert.True(harness.Counters.Transport.Disconnects >= 2);
        Assert.True(harness.Counters.Nmea.Rejected(EdgeGateway.Devices.Gnss.Nmea.NmeaRejectReason.BadChecksum) >= 2);
        var report = new HealthReport();
        new GnssHealthContributor(harness.Counters).Contribute(report);
        Assert.True(report.Counters["gnss.rejected.bad_checksum"] >= 2);
        Assert.True(report.Counters["gnss.skipped.proprietary"] > 0);
        Assert.True(report.Counters["gnss.transport.connects"] >= 3);
    }

    [Fact]
    public async Task ExecuteAsync_StationaryReceiver_ThinnedAndCounted()
    {
        var capture = NmeaCaptureDecoder.StripComments(File.ReadAllBytes(GnssTestData.PathOf("com-1289.log")));
        await using var harness = new GnssAdapterHarness(new ReplayConnector(capture), new GnssThinningOptions());
        await harness.StartAsync();

        await harness.WaitForAsync(c => c.Fixes >= 28, Timeout);

        Assert.True(harness.Counters.Thinned > 0);
        Assert.True(harness.Counters.Forwarded < harness.Counters.Fixes);
        await harness.Sink.WaitUntilAsync(e => e.Count >= harness.Counters.Forwarded, Timeout);
    }

    [Fact]
    public async Task ExecuteAsync_OldReceiverDateWithRolloverCorrection_MovedNearHostClock()
    {
        var capture = NmeaCaptureDecoder.StripComments(File.ReadAllBytes(GnssTestData.PathOf("com-1289.log")));
        await using var harness = new GnssAdapterHarness(new ReplayConnector(capture), correctWeekRollover: true);
        await harness.StartAsync();

        var envelopes = await harness.Sink.WaitUntilAsync(e => e.Count >= 1, Timeout);

        // 2007-10-12 is more than 512 weeks before the host clock: a week-rollover date, moved by 1024 weeks.
        Assert.Equal(new DateTimeOffset(2007, 10, 12, 14, 37, 48, 770, TimeSpan.Zero).AddDays(7 * 1024), envelopes[0].CapturedAt.ToDateTimeOffset());
        await harness.WaitForAsync(c => c.RolloverCorrections > 0, Timeout);
    }

    [Fact]
    public async Task ExecuteAsync_DeviceMissing_RetriesWithoutCrashing()
    {
        var connector = new FailingConnector();
        await using var harness = new GnssAdapterHarness(connector);
        await harness.StartAsync();

        await harness.WaitForAsync(c => c.Transport.ConnectFailures >= 3, Timeout);

        Assert.True(connector.Attempts >= 3);
        Assert.Empty(harness.Sink.Snapshot());
    }

    [Fact]
    public void ToEnvelope_NoFixTime_LocalTimeSource()
    {
        var now = new DateTimeOffset(2026, 11, 23, 18, 0, 0, TimeSpan.Zero);

        var envelope = GnssAdapter.ToEnvelope(new GnssFix { Mode = FixMode.NoFix }, now);

        Assert.Equal(TimeSource.Local, envelope.TimeSource);
        Assert.Equal(now, envelope.CapturedAt.ToDateTimeOffset());
        Assert.Equal(FixMode.NoFix, envelope.Position.Mode);
        Assert.False(envelope.Position.HasAltitudeM);
    }
}
