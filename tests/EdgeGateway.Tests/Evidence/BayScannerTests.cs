using EdgeGateway.Devices.Bwv;
using EdgeGateway.Simulators.Dock;
using Microsoft.Extensions.Options;

namespace EdgeGateway.Tests.Evidence;

public sealed class BayScannerTests
{
    [Fact]
    public async Task Scan_DockedCamera_ReportsMarkerRecordingsAndSidecars()
    {
        using var dir = new TempDirectory();
        var sim = new DockSimulator(dir.Path);
        await sim.DockAsync(2, Seed.Camera("BWV777", ("a.mp4", 0, null), ("b.mp4", 0, "use-of-force")), await Seed.ClipAsync(), TestContext.Current.CancellationToken);
        File.WriteAllBytes(Path.Combine(sim.BayDirectory(2), "no-sidecar.mp4"), [1, 2, 3]);

        var bays = new BayScanner(Options.Create(new DockOptions { BaysRoot = dir.Path, Bays = 3 })).Scan();

        Assert.Equal(3, bays.Count);
        Assert.False(bays[0].Docked);
        var bay = bays[1];
        Assert.True(bay.Docked);
        Assert.Equal("BWV777", bay.Camera!.Serial);
        Assert.Equal(77, bay.Camera.BatteryPercent);
        Assert.Equal(["a.mp4", "b.mp4"], bay.Recordings.Select(r => r.FileName).Order().ToArray());
        var b = bay.Recordings.Single(r => r.FileName == "b.mp4");
        Assert.Equal("use-of-force", b.Sidecar.Category);
        Assert.Equal("PC1234", b.Sidecar.OfficerId);
        Assert.NotEmpty(b.Sidecar.Gps!);
        Assert.True(b.Sidecar.EndUtc > b.Sidecar.StartUtc);
    }

    [Fact]
    public async Task Scan_MarkerGone_BayUndocked()
    {
        using var dir = new TempDirectory();
        var sim = new DockSimulator(dir.Path);
        await sim.DockAsync(1, Seed.Camera("BWV1", ("a.mp4", 0, null)), await Seed.ClipAsync(), TestContext.Current.CancellationToken);
        sim.Undock(1);

        var bay = BayScanner.ScanBay(1, sim.BayDirectory(1));

        Assert.False(bay.Docked);
        Assert.Empty(bay.Recordings);
    }
}
