using FleetControl.Identity;
using System.Globalization;
using System.Security.Cryptography;
using EdgeGateway.Evidence;
using EdgeGateway.Simulators.Dock;
using FleetControl.Evidence;
using FleetControl.Tests.Evidence;

namespace EdgeGateway.Tests.Evidence;

/// <summary>
/// Recording identity against the real vault: a reused file name and size is a new item (after a
/// wipe, and with the Keep policy), and a resumed copy continues only when the staged bytes are the
/// camera's bytes (after an undock and after a SIGKILL of the dock).
/// </summary>
public sealed class RecordingIdentityTests
{
    private const long MiB = 1024 * 1024;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static List<EvidenceRecord> Receipts(string vault) => VaultReceipts.All(vault);

    private static string Sha256(string path) => Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(path)));

    private static async Task AssertAllVerifyAsync(string vault)
    {
        foreach (var record in Receipts(vault))
        {
            var verification = await EvidenceVerifier.VerifyAsync(vault, record.Item.EvidenceId, CustodyTrust.UnsignedOnly, Ct);
            Assert.True(verification.Ok, string.Join("; ", verification.Problems));
        }
    }

    /// <summary>Overwrites bytes in the middle of a recording (away from the fingerprinted ends) and keeps its time: same name, size, time and fingerprint, other content.</summary>
    private static void RewriteMiddle(string path, long offset)
    {
        var modified = File.GetLastWriteTimeUtc(path);
        using (var stream = new FileStream(path, FileMode.Open, FileAccess.Write))
        {
            stream.Position = offset;
            stream.Write(Enumerable.Repeat((byte)0x5A, 64 * 1024).ToArray());
        }

        File.SetLastWriteTimeUtc(path, modified);
    }

    [Fact]
    public async Task Offload_ReusedNameAndSizeAfterWipe_IsANewItemOffloadedAndWiped()
    {
        using var dir = new TempDirectory();
        var sim = new DockSimulator(dir.Sub("bays"));
        await using var vault = await VaultHost.StartAsync(dir.Sub("vault"));
        var camera = Seed.Camera("BWV910", ("VID0001.mp4", 3 * MiB, null));
        await sim.DockAsync(1, camera, await Seed.ClipAsync(), Ct);

        await using var gateway = await DockGateway.StartAsync(DockGateway.Settings(sim.Root, dir.Sub("data"), vault.Url));
        await Eventually.TrueAsync(() => sim.Recordings(1).Count == 0 && Receipts(vault.Directory).Count == 1, Patience, "first VID0001.mp4 offloaded and wiped");

        // The camera numbers from 1 again: a new recording, same name, same size.
        await sim.AddRecordingAsync(1, camera, camera.Recordings[0] with { Start = camera.Recordings[0].Start.AddHours(3) }, await Seed.ClipAsync(), 4242, Ct);
        var second = Sha256(sim.Recordings(1).Single());
        await Eventually.TrueAsync(() => sim.Recordings(1).Count == 0, Patience, "second VID0001.mp4 offloaded and wiped");

        var receipts = Receipts(vault.Directory);
        Assert.Equal(2, receipts.Count);
        Assert.All(receipts, r => Assert.Equal("VID0001.mp4", r.Item.FileName));
        Assert.Equal(2, receipts.Select(r => r.Item.EvidenceId).Distinct().Count());
        Assert.Contains(receipts, r => r.Receipt.Sha256 == second);
        Assert.Equal(2, gateway.Counters.ItemsVerified);
        await AssertAllVerifyAsync(vault.Directory);
    }

    [Fact]
    public async Task Offload_ReusedNameAndSizeWithKeepPolicy_KeptItemNotMatchedAgainNewOneOffloaded()
    {
        using var dir = new TempDirectory();
        var sim = new DockSimulator(dir.Sub("bays"));
        await using var vault = await VaultHost.StartAsync(dir.Sub("vault"));
        var camera = Seed.Camera("BWV911", ("VID0001.mp4", 3 * MiB, null));
        await sim.DockAsync(1, camera, await Seed.ClipAsync(), Ct);
        var settings = DockGateway.Settings(sim.Root, dir.Sub("data"), vault.Url);
        settings["Evidence:CameraPolicy"] = "Keep";

        await using var gateway = await DockGateway.StartAsync(settings);
        var first = EvidenceIds.ForFile("BWV911", sim.Recordings(1).Single());
        await Eventually.TrueAsync(() => gateway.Custody(first).Contains("kept"), Patience, "first recording kept on the camera");

        // The camera's owner cleared it and it recorded again under the same name and size.
        await sim.AddRecordingAsync(1, camera, camera.Recordings[0] with { Start = camera.Recordings[0].Start.AddHours(3) }, await Seed.ClipAsync(), 4343, Ct);
        var path = sim.Recordings(1).Single();
        var second = EvidenceIds.ForFile("BWV911", path);
        Assert.NotEqual(first, second);
        await Eventually.TrueAsync(() => Receipts(vault.Directory).Count == 2 && gateway.Custody(second).Contains("kept"), Patience, "new recording offloaded and kept");

        Assert.Equal(Sha256(path), Receipts(vault.Directory).Single(r => r.Item.EvidenceId == second).Receipt.Sha256);
        Assert.Single(gateway.Custody(first).Entries, e => e.Event == "uploaded");
        Assert.Equal(2, gateway.Counters.ItemsVerified);
        await AssertAllVerifyAsync(vault.Directory);
    }

    [Fact]
    public async Task Offload_CameraBytesChangedWhileUndocked_ResumeRejectsStagedPrefixAndCopiesFromZero()
    {
        using var dir = new TempDirectory();
        var sim = new DockSimulator(dir.Sub("bays"));
        await using var vault = await VaultHost.StartAsync(dir.Sub("vault"));
        await sim.DockAsync(3, Seed.Camera("BWV912", ("long.mp4", 48 * MiB, null)), await Seed.ClipAsync(), Ct);
        var settings = DockGateway.Settings(sim.Root, dir.Sub("data"), vault.Url);
        settings["Evidence:CopyBytesPerSecond"] = (16 * MiB).ToString(CultureInfo.InvariantCulture);
        var id = EvidenceIds.ForFile("BWV912", sim.Recordings(3).Single());

        await using var gateway = await DockGateway.StartAsync(settings);
        await Eventually.TrueAsync(() => gateway.Staging.ReadProgress(id) is { Offset: >= 12 * MiB }, Patience, "12 MiB copied durably");
        sim.Pull(3);
        await Eventually.TrueAsync(() => gateway.Custody(id).Contains("interrupted"), Patience, "copy interrupted by the undock");

        var parked = Path.Combine(sim.Root, ".undocked", DockSimulator.BayName(3), "long.mp4");
        RewriteMiddle(parked, 2 * MiB);
        Assert.Equal(id, EvidenceIds.ForFile("BWV912", parked)); // same identity: only the staged bytes can tell
        var expected = Sha256(parked);
        sim.Redock(3);
        await Eventually.TrueAsync(() => sim.Recordings(3).Count == 0, Patience, "offloaded after re-dock");

        var custody = gateway.Custody(id);
        Assert.Contains(custody.Entries, e => e.Event == "resumed");
        var restarted = custody.Entries.Single(e => e.Event == "restarted");
        Assert.Contains("differs from the camera", restarted.Details, StringComparison.Ordinal);
        Assert.Equal("0", RecordingOffloader.Field(custody.Entries.Single(e => e.Event == "copied").Details, "resumedFrom"));
        Assert.Equal(expected, Receipts(vault.Directory).Single().Receipt.Sha256);
        await AssertAllVerifyAsync(vault.Directory);
    }

    [Fact]
    public async Task Offload_CameraBytesUnchangedWhileUndocked_ResumesFromStagedOffset()
    {
        using var dir = new TempDirectory();
        var sim = new DockSimulator(dir.Sub("bays"));
        await using var vault = await VaultHost.StartAsync(dir.Sub("vault"));
        await sim.DockAsync(2, Seed.Camera("BWV913", ("long.mp4", 48 * MiB, null)), await Seed.ClipAsync(), Ct);
        var settings = DockGateway.Settings(sim.Root, dir.Sub("data"), vault.Url);
        settings["Evidence:CopyBytesPerSecond"] = (16 * MiB).ToString(CultureInfo.InvariantCulture);
        var id = EvidenceIds.ForFile("BWV913", sim.Recordings(2).Single());
        var expected = Sha256(sim.Recordings(2).Single());

        await using var gateway = await DockGateway.StartAsync(settings);
        await Eventually.TrueAsync(() => gateway.Staging.ReadProgress(id) is { Offset: >= 12 * MiB }, Patience, "12 MiB copied durably");
        sim.Pull(2);
        await Eventually.TrueAsync(() => gateway.Custody(id).Contains("interrupted"), Patience, "copy interrupted by the undock");
        sim.Redock(2);
        await Eventually.TrueAsync(() => sim.Recordings(2).Count == 0, Patience, "offloaded after re-dock");

        var custody = gateway.Custody(id);
        Assert.DoesNotContain(custody.Entries, e => e.Event == "restarted");
        var resumedFrom = long.Parse(RecordingOffloader.Field(custody.Entries.Single(e => e.Event == "copied").Details, "resumedFrom"), CultureInfo.InvariantCulture);
        Assert.True(resumedFrom >= 12 * MiB);
        Assert.Equal(expected, Receipts(vault.Directory).Single().Receipt.Sha256);
    }

    [Fact]
    public async Task Gateway_KilledMidCopyAndCameraBytesChanged_RestartRejectsStagedPrefixAndCopiesFromZero()
    {
        using var dir = new TempDirectory();
        var sim = new DockSimulator(dir.Sub("bays"));
        await using var vault = await VaultHost.StartAsync(dir.Sub("vault"));
        await sim.DockAsync(1, Seed.Camera("BWV914", ("long.mp4", 64 * MiB, null)), await Seed.ClipAsync(), Ct);
        var data = dir.Sub("data");
        var settings = DockGateway.Settings(sim.Root, data, vault.Url);
        settings["Evidence:CopyBufferBytes"] = MiB.ToString(CultureInfo.InvariantCulture);
        settings["Evidence:CopyBytesPerSecond"] = (24 * MiB).ToString(CultureInfo.InvariantCulture);
        var path = sim.Recordings(1).Single();
        var id = EvidenceIds.ForFile("BWV914", path);
        var staging = CrashResumeTests.Staging(data);

        await using (var first = GatewayProcess.Start(settings, dir.Sub("run1")))
        {
            await Eventually.TrueAsync(() => staging.ReadProgress(id) is { Offset: >= 16 * MiB } || first.HasExited, Patience, "16 MiB copied durably");
            Assert.False(first.HasExited, first.Log);
            await first.KillAsync();
        }

        RewriteMiddle(path, 3 * MiB);
        var expected = Sha256(path);
        settings["Evidence:CopyBytesPerSecond"] = "0";
        await using (var second = GatewayProcess.Start(settings, dir.Sub("run2")))
        {
            await Eventually.TrueAsync(() => sim.Recordings(1).Count == 0 || second.HasExited, Patience, "offloaded after restart");
            Assert.False(second.HasExited, second.Log);
        }

        var custody = staging.OpenCustody(id);
        Assert.Contains(custody.Entries, e => e.Event == "restarted");
        Assert.Equal(expected, Receipts(vault.Directory).Single().Receipt.Sha256);
        await AssertAllVerifyAsync(vault.Directory);
    }
}
