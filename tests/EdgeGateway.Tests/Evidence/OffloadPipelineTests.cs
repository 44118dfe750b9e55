using FleetControl.Identity;
using FleetControl.Tests.Evidence;
using System.Text.Json;
using EdgeGateway.Contracts.V1;
using EdgeGateway.Evidence;
using EdgeGateway.Simulators.Dock;
using FleetControl.Evidence;

namespace EdgeGateway.Tests.Evidence;

/// <summary>The dock's offload pipeline in-process against the real vault over gRPC on loopback.</summary>
public sealed class OffloadPipelineTests
{
    private const long MiB = 1024 * 1024;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Offload_DockedCamera_CriticalFirstUploadedVerifiedWipedAndChainVerifies()
    {
        using var dir = new TempDirectory();
        var sim = new DockSimulator(dir.Sub("bays"));
        await using var vault = await VaultHost.StartAsync(dir.Sub("vault"));
        await sim.DockAsync(1, Seed.Camera("BWV100", ("a.mp4", 0, null), ("b.mp4", 3 * MiB, null), ("c.mp4", 0, "use-of-force")), await Seed.ClipAsync(), Ct);
        var settings = DockGateway.Settings(sim.Root, dir.Sub("data"), vault.Url);
        settings["Evidence:MaxConcurrentTransfers"] = "1";

        await using var gateway = await DockGateway.StartAsync(settings);
        await Eventually.TrueAsync(() => sim.Recordings(1).Count == 0, Patience, "every recording wiped from the camera");

        var ids = Directory.GetFiles(vault.Directory, "*.receipt.json").Select(f => Path.GetFileName(f)[..^".receipt.json".Length]).ToList();
        Assert.Equal(3, ids.Count);
        foreach (var id in ids)
        {
            var verification = await EvidenceVerifier.VerifyAsync(vault.Directory, id, CustodyTrust.UnsignedOnly, Ct);
            Assert.True(verification.Ok, string.Join("; ", verification.Problems));
            var custody = gateway.Custody(id);
            Assert.Equal(
                ["captured", "docked", "copied", "hashed", "received", "verified", "stored", "uploaded", "verified", "wiped"],
                custody.Entries.Select(e => e.Event).ToArray());
            await Eventually.TrueAsync(() => !File.Exists(gateway.Staging.DataPath(id)), Patience, "staging copy freed after the wipe");
        }

        // The critical recording went first although it is the newest.
        var stored = ids.Select(id => FileEvidenceCatalog.Read(Path.Combine(vault.Directory, id + ".receipt.json"))!)
            .OrderBy(r => r.Receipt.StoredAt, StringComparer.Ordinal).ToList();
        Assert.True(stored[0].Item.Critical);
        Assert.Equal("c.mp4", stored[0].Item.FileName);

        // The vault holds the whole chain, including the dock's entries after the receipt.
        await Eventually.TrueAsync(() => CustodyChain.Read(Path.Combine(vault.Directory, ids[0] + ".custody.jsonl")).Count == 10, Patience, "custody synced to the vault");

        // Dock status: local file and DockStatus envelopes (stream "dock", Event class).
        await Eventually.TrueAsync(() => gateway.Sink.Envelopes.Any(e => e.DockStatus?.Bays.Any(b => b.Transfers.Count(t => t.State == "wiped") == 3) == true), Patience, "DockStatus with three wiped transfers");
        var envelope = gateway.Sink.Envelopes.Last(e => e.BodyCase == Envelope.BodyOneofCase.DockStatus);
        Assert.Equal("dock", envelope.Stream);
        Assert.Equal(PriorityClass.Event, envelope.Priority);
        var bay1 = envelope.DockStatus.Bays.Single(b => b.Bay == 1);
        Assert.True(bay1.Docked);
        Assert.Equal("BWV100", bay1.CameraSerial);
        Assert.Equal(77u, bay1.BatteryPercent);
        Assert.All(bay1.Transfers, t => Assert.Equal(t.BytesTotal, t.BytesDone));
        await Eventually.TrueAsync(() => File.Exists(Path.Combine(gateway.DataDirectory, "dock-status.json")), Patience, "dock-status.json");
        using var status = JsonDocument.Parse(File.ReadAllText(Path.Combine(gateway.DataDirectory, "dock-status.json")));
        Assert.Equal("dock-test", status.RootElement.GetProperty("deviceId").GetString());
        Assert.Equal(4, status.RootElement.GetProperty("bays").GetArrayLength());

        var report = new HealthReport();
        gateway.Counters.Contribute(report);
        Assert.Equal(3UL, report.Counters["evidence.items_verified"]);
        Assert.Equal(3UL, report.Counters["evidence.items_wiped"]);
    }

    [Fact]
    public async Task Upload_ChunkCorruptedInTransit_RejectedByVaultAndResent()
    {
        using var dir = new TempDirectory();
        var sim = new DockSimulator(dir.Sub("bays"));
        await using var vault = await VaultHost.StartAsync(dir.Sub("vault"));
        await sim.DockAsync(1, Seed.Camera("BWV200", ("big.mp4", 6 * MiB, null)), await Seed.ClipAsync(), Ct);
        var flipper = new BitFlipInterceptor(chunksToCorrupt: 1);

        await using var gateway = await DockGateway.StartAsync(DockGateway.Settings(sim.Root, dir.Sub("data"), vault.Url), flipper);
        await Eventually.TrueAsync(() => sim.Recordings(1).Count == 0, Patience, "recording wiped after a verified receipt");

        Assert.Equal(1, flipper.Corrupted);
        Assert.True(gateway.Counters.UploadRetries >= 1, "the vault rejected the corrupted chunk and the call was retried");
        var id = Directory.GetFiles(vault.Directory, "*.receipt.json").Select(f => Path.GetFileName(f)[..^".receipt.json".Length]).Single();
        var verification = await EvidenceVerifier.VerifyAsync(vault.Directory, id, CustodyTrust.UnsignedOnly, Ct);
        Assert.True(verification.Ok, string.Join("; ", verification.Problems));
        // The corrupted chunk (and what was in flight behind it) was sent again, once, not the file over and over.
        var uploaded = gateway.Custody(id).Entries.Single(e => e.Event == "uploaded");
        Assert.Contains("resumedFrom=0", uploaded.Details, StringComparison.Ordinal);
        var sent = long.Parse(RecordingOffloader.Field(uploaded.Details, "sentThisRun"), System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(sent, 6 * MiB + 1, 2 * 6 * MiB);
    }

    [Fact]
    public async Task Offload_VaultDown_RetriesWipesNothingThenCompletesWhenVaultReturns()
    {
        using var dir = new TempDirectory();
        var sim = new DockSimulator(dir.Sub("bays"));
        var port = VaultHost.FreePort();
        await sim.DockAsync(1, Seed.Camera("BWV300", ("a.mp4", 0, null), ("b.mp4", 2 * MiB, null)), await Seed.ClipAsync(), Ct);

        await using var gateway = await DockGateway.StartAsync(DockGateway.Settings(sim.Root, dir.Sub("data"), $"http://127.0.0.1:{port}"));
        await Eventually.TrueAsync(() => gateway.Counters.UploadRetries >= 3, Patience, "upload retries while FleetControl is down");

        Assert.Equal(2, sim.Recordings(1).Count);
        Assert.Equal(0, gateway.Counters.ItemsVerified);
        Assert.All(gateway.Staging.ItemIds(), id => Assert.False(gateway.Custody(id).Contains("wiped")));

        await using var vault = await VaultHost.StartAsync(dir.Sub("vault"), port);
        await Eventually.TrueAsync(() => sim.Recordings(1).Count == 0, Patience, "wiped once the vault is back");
        Assert.Equal(2, gateway.Counters.ItemsVerified);
    }

    [Fact]
    public async Task Offload_StagingQuotaFull_PausesWithAlarmCompletesNothingPartialThenResumes()
    {
        using var dir = new TempDirectory();
        var sim = new DockSimulator(dir.Sub("bays"));
        var port = VaultHost.FreePort();
        await sim.DockAsync(1, Seed.Camera("BWV400", ("a.mp4", 8 * MiB, null), ("b.mp4", 8 * MiB, null)), await Seed.ClipAsync(), Ct);
        var settings = DockGateway.Settings(sim.Root, dir.Sub("data"), $"http://127.0.0.1:{port}");
        settings["Evidence:StagingQuotaBytes"] = (12 * MiB).ToString(System.Globalization.CultureInfo.InvariantCulture);

        await using var gateway = await DockGateway.StartAsync(settings);
        await Eventually.TrueAsync(() => gateway.Counters.StagingFull, Patience, "staging-full alarm");
        await Eventually.TrueAsync(() => File.ReadAllText(Path.Combine(gateway.DataDirectory, "dock-status.json")).Contains("staging-full", StringComparison.Ordinal), Patience, "alarm in dock-status.json");

        await Eventually.TrueAsync(() => gateway.Staging.ItemIds().Any(id => gateway.Custody(id).Contains("hashed")), Patience, "the item that fits staged");
        Assert.True(gateway.Counters.StagingFull);

        // One item staged complete, the other never started: nothing partial claims to be complete.
        var items = gateway.Staging.ItemIds().Select(gateway.Custody).ToList();
        Assert.Single(items, c => c.Contains("hashed"));
        Assert.All(items.Where(c => !c.Contains("hashed")), c => Assert.False(c.Contains("copied")));
        Assert.Equal(2, sim.Recordings(1).Count);
        var report = new HealthReport();
        gateway.Counters.Contribute(report);
        Assert.Equal(1UL, report.Counters["evidence.alarm_staging_full"]);

        await using var vault = await VaultHost.StartAsync(dir.Sub("vault"), port);
        await Eventually.TrueAsync(() => sim.Recordings(1).Count == 0, Patience, "both offloaded once staging frees");
        Assert.False(gateway.Counters.StagingFull);
    }

    [Fact]
    public async Task Offload_CameraPulledMidCopy_IncompleteNeverUploadedThenResumesOnRedock()
    {
        using var dir = new TempDirectory();
        var sim = new DockSimulator(dir.Sub("bays"));
        await using var vault = await VaultHost.StartAsync(dir.Sub("vault"));
        await sim.DockAsync(3, Seed.Camera("BWV500", ("long.mp4", 64 * MiB, null)), await Seed.ClipAsync(), Ct);
        var settings = DockGateway.Settings(sim.Root, dir.Sub("data"), vault.Url);
        settings["Evidence:CopyBytesPerSecond"] = (24 * MiB).ToString(System.Globalization.CultureInfo.InvariantCulture);

        var id = EvidenceIds.ForFile("BWV500", sim.Recordings(3).Single());
        await using (var gateway = await DockGateway.StartAsync(settings))
        {
            await Eventually.TrueAsync(() => gateway.Staging.ReadProgress(id) is { Offset: >= 16 * MiB }, Patience, "16 MiB copied");
            sim.Pull(3);
            await Eventually.TrueAsync(() => gateway.Custody(id).Contains("interrupted"), Patience, "copy interrupted by the undock");

            Assert.False(gateway.Custody(id).Contains("hashed"));
            // The pipelined upload had followed the copy: the vault keeps a partial, never a complete item.
            Assert.Empty(Directory.GetFiles(vault.Directory, "*.receipt.json"));
            Assert.True(new VaultStorage(vault.Directory).RecoverOffset(id, null) < 64 * MiB);
            await Eventually.TrueAsync(() => gateway.Sink.Envelopes.Any(e => e.DockStatus?.Bays.Any(b => b.Bay == 3 && !b.Docked) == true), Patience, "bay 3 reported undocked");

            sim.Redock(3);
            await Eventually.TrueAsync(() => sim.Recordings(3).Count == 0, Patience, "offloaded after re-dock");
            var custody = gateway.Custody(id);
            var resumed = custody.Entries.Single(e => e.Event == "resumed");
            var offset = long.Parse(RecordingOffloader.Field(resumed.Details, "offset"), System.Globalization.CultureInfo.InvariantCulture);
            Assert.True(offset >= 16 * MiB, resumed.Details);
            var copied = custody.Entries.Single(e => e.Event == "copied");
            Assert.Equal(64 * MiB - offset, long.Parse(RecordingOffloader.Field(copied.Details, "copiedThisRun"), System.Globalization.CultureInfo.InvariantCulture));
        }

        var verification = await EvidenceVerifier.VerifyAsync(vault.Directory, id, CustodyTrust.UnsignedOnly, Ct);
        Assert.True(verification.Ok, string.Join("; ", verification.Problems));
    }

    [Fact]
    public async Task Offload_KeepPolicy_LeavesRecordingOnCameraAndDoesNotResend()
    {
        using var dir = new TempDirectory();
        var sim = new DockSimulator(dir.Sub("bays"));
        await using var vault = await VaultHost.StartAsync(dir.Sub("vault"));
        await sim.DockAsync(1, Seed.Camera("BWV600", ("a.mp4", 0, null)), await Seed.ClipAsync(), Ct);
        var settings = DockGateway.Settings(sim.Root, dir.Sub("data"), vault.Url);
        settings["Evidence:CameraPolicy"] = "Keep";

        await using var gateway = await DockGateway.StartAsync(settings);
        var id = EvidenceIds.ForFile("BWV600", sim.Recordings(1).Single());
        await Eventually.TrueAsync(() => gateway.Custody(id).Contains("kept"), Patience, "kept entry");
        // Let a good number of bay checks (100 ms apart) pass with the kept recording still on the camera.
        var checkedAt = gateway.Counters.BayChecks;
        await Eventually.TrueAsync(() => gateway.Counters.BayChecks >= checkedAt + 10, Patience, "ten bay checks after the kept entry");

        Assert.Single(sim.Recordings(1));
        Assert.Single(gateway.Custody(id).Entries, e => e.Event == "uploaded");
        Assert.Equal(1, gateway.Counters.ItemsVerified);
    }
}
