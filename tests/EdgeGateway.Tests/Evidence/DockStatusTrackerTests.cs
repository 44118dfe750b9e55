using EdgeGateway.Devices.Bwv;
using EdgeGateway.Evidence;
using Microsoft.Extensions.Time.Testing;

namespace EdgeGateway.Tests.Evidence;

public sealed class DockStatusTrackerTests
{
    private const long MiB = 1024 * 1024;

    [Fact]
    public void Progress_TransferRunning_ReportsBytesRateAndEta()
    {
        var time = new FakeTimeProvider();
        var tracker = new DockStatusTracker(time);
        tracker.SetBay(1, new CameraMarker("BWV1", 64));
        tracker.SetBay(2, null);
        tracker.SetState(1, "ev-1", "big.mp4", 100 * MiB, critical: true, "copying");
        tracker.Progress("ev-1", 0);
        time.Advance(TimeSpan.FromSeconds(2));
        tracker.Progress("ev-1", 20 * MiB);

        var status = tracker.Snapshot();

        Assert.Equal(2, status.Bays.Count);
        Assert.False(status.Bays[1].Docked);
        var t = Assert.Single(status.Bays[0].Transfers);
        Assert.Equal("copying", t.State);
        Assert.Equal((ulong)(20 * MiB), t.BytesDone);
        Assert.Equal(10.0, t.MegabytesPerSecond, 2);
        Assert.Equal(8u, t.EtaSeconds);
        Assert.True(t.Critical);
    }

    [Fact]
    public void Version_ChangesOnStateNotOnBytes()
    {
        var tracker = new DockStatusTracker(new FakeTimeProvider());
        tracker.SetState(1, "ev-1", "a.mp4", 10, critical: false, "copying");
        var before = tracker.Version;

        tracker.Progress("ev-1", 5);
        Assert.Equal(before, tracker.Version);

        tracker.SetState(1, "ev-1", "a.mp4", 10, critical: false, "uploading");
        Assert.NotEqual(before, tracker.Version);
    }
}
