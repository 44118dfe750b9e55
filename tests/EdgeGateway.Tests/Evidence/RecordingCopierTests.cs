using System.Security.Cryptography;
using EdgeGateway.Devices.Bwv;
using EdgeGateway.Evidence;
using EdgeGateway.Hosting;
using EdgeGateway.Simulators.Dock;
using Microsoft.Extensions.Options;

namespace EdgeGateway.Tests.Evidence;

public sealed class RecordingCopierTests
{
    private const long MiB = 1024 * 1024;

    private static (RecordingCopier Copier, StagingArea Staging) Create(string data, long bytesPerSecond = 0)
    {
        var options = Options.Create(new EvidenceOptions { CheckpointBytes = 4 * MiB, CopyBufferBytes = (int)MiB, CopyBytesPerSecond = bytesPerSecond });
        var staging = new StagingArea(options, Options.Create(new GatewayOptions { DeviceId = "d", DataDirectory = data }));
        return (new RecordingCopier(staging, options, TimeProvider.System), staging);
    }

    private static async Task<DockedRecording> DockAsync(TempDirectory dir, long size)
    {
        var sim = new DockSimulator(dir.Sub("bays"));
        await sim.DockAsync(1, Seed.Camera("BWV900", ("big.mp4", size, null)), await Seed.ClipAsync(), TestContext.Current.CancellationToken);
        return BayScanner.ScanBay(1, sim.BayDirectory(1)).Recordings.Single();
    }

    [Fact]
    public async Task CopyAsync_FreshCopy_StagesIdenticalBytesAndSha256()
    {
        using var dir = new TempDirectory();
        var rec = await DockAsync(dir, 24 * MiB);
        var (copier, staging) = Create(dir.Sub("data"));

        var result = await copier.CopyAsync(rec, "ev-a", _ => { }, TestContext.Current.CancellationToken).WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);

        var expected = Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(rec.VideoPath)));
        Assert.Equal(expected, result.Sha256);
        Assert.Equal(expected, Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(staging.DataPath("ev-a")))));
        Assert.Equal(0, result.ResumedFrom);
        Assert.Equal(rec.Size, result.CopiedBytes);
    }

    [Fact]
    public async Task CopyAsync_DurableProgressAndGarbageTail_ResumesAtOffsetWithCorrectHash()
    {
        using var dir = new TempDirectory();
        var rec = await DockAsync(dir, 24 * MiB);
        var (copier, staging) = Create(dir.Sub("data"));
        Directory.CreateDirectory(staging.ItemDirectory("ev-b"));
        var source = File.ReadAllBytes(rec.VideoPath);
        // 12 MiB durable, then 3 MiB that were written but never fsynced (garbage after a crash).
        var staged = source.AsSpan(0, (int)(15 * MiB)).ToArray();
        staged.AsSpan((int)(12 * MiB)).Fill(0xEE);
        File.WriteAllBytes(staging.DataPath("ev-b"), staged);
        staging.WriteProgress("ev-b", new CopyProgress(12 * MiB, rec.Size, null));

        var result = await copier.CopyAsync(rec, "ev-b", _ => { }, TestContext.Current.CancellationToken).WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);

        Assert.Equal(12 * MiB, result.ResumedFrom);
        Assert.Equal(rec.Size - (12 * MiB), result.CopiedBytes);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(source)), result.Sha256);
        Assert.Equal(source, File.ReadAllBytes(staging.DataPath("ev-b")));
    }

    [Fact]
    public async Task CopyAsync_MarkerRemovedMidCopy_ThrowsUndockedWithDurableOffset()
    {
        using var dir = new TempDirectory();
        var rec = await DockAsync(dir, 32 * MiB);
        var (copier, staging) = Create(dir.Sub("data"), bytesPerSecond: 16 * MiB);
        var removed = false;

        var copy = copier.CopyAsync(rec, "ev-c", done =>
        {
            if (done >= 8 * MiB && !removed)
            {
                removed = true;
                File.Delete(rec.MarkerPath);
            }
        }, TestContext.Current.CancellationToken);

        await Assert.ThrowsAsync<CameraUndockedException>(() => copy.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken));
        var progress = staging.ReadProgress("ev-c")!;
        Assert.InRange(progress.Offset, 8 * MiB, 12 * MiB);
        Assert.Null(progress.Sha256);
        Assert.Equal(progress.Offset, new FileInfo(staging.DataPath("ev-c")).Length);
    }
}
