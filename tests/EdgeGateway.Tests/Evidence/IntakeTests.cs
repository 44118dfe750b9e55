using EdgeGateway.Devices.Bwv;
using FleetControl.Identity;
using EdgeGateway.Contracts.V1;
using EdgeGateway.Evidence;
using EdgeGateway.Simulators.Dock;
using FleetControl.Evidence;
using FleetControl.Tests.Evidence;

namespace EdgeGateway.Tests.Evidence;

/// <summary>
/// Every file a camera holds is accounted for, and a vault answer that does not match never wipes:
/// against the real vault over gRPC, with real files.
/// </summary>
public sealed class IntakeTests
{
    private const long MiB = 1024 * 1024;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static List<EvidenceRecord> Receipts(string vault) => VaultReceipts.All(vault);

    private static byte[] RandomBytes(int length, int seed)
    {
        var data = new byte[length];
        new Random(seed).NextBytes(data);
        return data;
    }

    private static IEnumerable<DeviceEvent> Alarms(DockGateway gateway, string type) =>
        gateway.Sink.Envelopes.Where(e => e.BodyCase == Envelope.BodyOneofCase.Event && e.Event.Type == type).Select(e => e.Event);

    [Fact]
    public async Task Offload_UpperCaseMissingAndInvalidSidecars_AllOffloadedRecordedInCustodyAndAlarmed()
    {
        using var dir = new TempDirectory();
        var sim = new DockSimulator(dir.Sub("bays"));
        await using var vault = await VaultHost.StartAsync(dir.Sub("vault"));
        var camera = Seed.Camera("BWV920", ("UPPER.MP4", 0, null), ("lost.mp4", 0, null), ("torn.MOV", MiB, null));
        camera = camera with
        {
            Recordings = [camera.Recordings[0], camera.Recordings[1] with { Sidecar = SimulatedSidecar.Missing }, camera.Recordings[2] with { Sidecar = SimulatedSidecar.Invalid }],
        };
        await sim.DockAsync(1, camera, await Seed.ClipAsync(), Ct);
        File.WriteAllText(Path.Combine(sim.BayDirectory(1), "notes.txt"), "not a recording");

        await using var gateway = await DockGateway.StartAsync(DockGateway.Settings(sim.Root, dir.Sub("data"), vault.Url));
        await Eventually.TrueAsync(() => sim.Recordings(1).SequenceEqual([Path.Combine(sim.BayDirectory(1), "notes.txt")]), Patience, "every recording offloaded and wiped, notes.txt left");

        var receipts = Receipts(vault.Directory);
        Assert.Equal(["UPPER.MP4", "lost.mp4", "torn.MOV"], receipts.Select(r => r.Item.FileName).Order(StringComparer.Ordinal).ToArray());
        Assert.Equal("ok", receipts.Single(r => r.Item.FileName == "UPPER.MP4").Item.SidecarStatus);
        Assert.Equal("missing", receipts.Single(r => r.Item.FileName == "lost.mp4").Item.SidecarStatus);
        Assert.Equal("invalid", receipts.Single(r => r.Item.FileName == "torn.MOV").Item.SidecarStatus);
        foreach (var r in receipts)
        {
            var verification = await EvidenceVerifier.VerifyAsync(vault.Directory, r.Item.EvidenceId, CustodyTrust.UnsignedOnly, Ct);
            Assert.True(verification.Ok, string.Join("; ", verification.Problems));
        }

        var lost = gateway.Custody(receipts.Single(r => r.Item.FileName == "lost.mp4").Item.EvidenceId).Entries;
        Assert.Equal(["captured", "sidecar-missing", "docked"], lost.Take(3).Select(e => e.Event).ToArray());
        Assert.Equal("unknown", lost[0].Actor);
        Assert.Contains("sidecar=missing", lost[0].Details, StringComparison.Ordinal);
        var torn = gateway.Custody(receipts.Single(r => r.Item.FileName == "torn.MOV").Item.EvidenceId).Entries;
        Assert.Equal("sidecar-invalid", torn[1].Event);

        await Eventually.TrueAsync(() => Alarms(gateway, EvidenceAlarms.SidecarMissing).Any() && Alarms(gateway, EvidenceAlarms.SidecarInvalid).Any(), Patience, "sidecar alarms sent");
        var alarm = gateway.Sink.Envelopes.First(e => e.Event?.Type == EvidenceAlarms.SidecarMissing);
        Assert.Equal(PriorityClass.Alert, alarm.Priority);
        Assert.Equal(EvidenceAlarms.Stream, alarm.Stream);
        Assert.Equal("lost.mp4", alarm.Event.Attributes["file"]);

        // notes.txt: reported per bay and alarmed, never silently ignored.
        await Eventually.TrueAsync(() => Alarms(gateway, EvidenceAlarms.FileNotAccepted).Any(e => e.Attributes["file"] == "notes.txt"), Patience, "file-not-accepted alarm");
        await Eventually.TrueAsync(
            () => gateway.Sink.Envelopes.Any(e => e.DockStatus?.Bays.Any(b => b.Bay == 1 && b.Unaccepted.Any(u => u.Name == "notes.txt" && u.Reason == "unknown type .txt")) == true),
            Patience, "notes.txt in the bay's DockStatus");
        Assert.Contains("notes.txt", File.ReadAllText(Path.Combine(gateway.DataDirectory, "dock-status.json")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Offload_NestedFoldersUnicodeNamesAndAZeroLengthFile_AllOffloadedVerifiedAndWipedHiddenFilesReportedAndLeft()
    {
        using var dir = new TempDirectory();
        var sim = new DockSimulator(dir.Sub("bays"));
        await using var vault = await VaultHost.StartAsync(dir.Sub("vault"));
        var camera = Seed.Camera("BWV924", ("DCIM/100MEDIA/VID0001.MP4", 0, null), ("DCIM/101MEDIA/VID0001.MP4", 0, null), ("Statement – Jóhn Café 0001.mp4", 0, null)) with
        {
            HiddenFiles = [".DS_Store", "DCIM/100MEDIA/._VID0001.MP4"],
        };
        camera = camera with { Recordings = [camera.Recordings[0], camera.Recordings[1] with { Sidecar = SimulatedSidecar.Missing }, camera.Recordings[2]] };
        await sim.DockAsync(1, camera, await Seed.ClipAsync(), Ct);
        File.WriteAllBytes(Path.Combine(sim.BayDirectory(1), "EMPTY.MP4"), []);

        await using var gateway = await DockGateway.StartAsync(DockGateway.Settings(sim.Root, dir.Sub("data"), vault.Url));
        await Eventually.TrueAsync(() => sim.Recordings(1).Count == 0, Patience, "every recording offloaded and wiped, in folders too");

        var receipts = Receipts(vault.Directory);
        Assert.Equal(
            ["DCIM/100MEDIA/VID0001.MP4", "DCIM/101MEDIA/VID0001.MP4", "EMPTY.MP4", "Statement – Jóhn Café 0001.mp4"],
            receipts.Select(r => r.Item.FileName).Order(StringComparer.Ordinal).ToArray());
        Assert.Equal(0UL, receipts.Single(r => r.Item.FileName == "EMPTY.MP4").Receipt.Size);
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData([])), receipts.Single(r => r.Item.FileName == "EMPTY.MP4").Receipt.Sha256);
        Assert.Equal("missing", receipts.Single(r => r.Item.FileName == "DCIM/101MEDIA/VID0001.MP4").Item.SidecarStatus);
        Assert.Equal("ok", receipts.Single(r => r.Item.FileName.StartsWith("Statement", StringComparison.Ordinal)).Item.SidecarStatus);
        foreach (var r in receipts)
        {
            var verification = await EvidenceVerifier.VerifyAsync(vault.Directory, r.Item.EvidenceId, CustodyTrust.UnsignedOnly, Ct);
            Assert.True(verification.Ok, r.Item.FileName + ": " + string.Join("; ", verification.Problems));
            Assert.Contains(gateway.Custody(r.Item.EvidenceId).Entries, e => e.Event == "wiped" && e.Details.Contains("file=" + r.Item.FileName, StringComparison.Ordinal));
        }

        // The sidecars went with their recordings; the hidden files stay, reported per bay and alarmed.
        Assert.Equal([Path.Combine(sim.BayDirectory(1), "camera.json")], Directory.GetFiles(sim.BayDirectory(1), "*.json", SearchOption.AllDirectories));
        Assert.True(File.Exists(Path.Combine(sim.BayDirectory(1), ".DS_Store")));
        await Eventually.TrueAsync(
            () => gateway.Sink.Envelopes.Any(e => e.DockStatus?.Bays.Any(b => b.Bay == 1 && b.Unaccepted.Any(u => u.Name == "DCIM/100MEDIA/._VID0001.MP4" && u.Reason == "hidden or temporary file (not offloaded)")) == true),
            Patience, "the AppleDouble file in the bay's DockStatus");
        await Eventually.TrueAsync(() => Alarms(gateway, EvidenceAlarms.FileNotAccepted).Any(e => e.Attributes["file"] == ".DS_Store"), Patience, "file-not-accepted alarm for .DS_Store");
    }

    [Fact]
    public async Task Offload_RecordingStillBeingWritten_ReportedNotTakenUntilItSettlesThenOffloadedWhole()
    {
        using var dir = new TempDirectory();
        var sim = new DockSimulator(dir.Sub("bays"));
        await using var vault = await VaultHost.StartAsync(dir.Sub("vault"));
        await sim.DockAsync(1, Seed.Camera("BWV925", ("done.mp4", 0, null)), await Seed.ClipAsync(), Ct);
        var done = Path.Combine(sim.BayDirectory(1), "done.mp4");
        File.SetLastWriteTimeUtc(done, DateTime.UtcNow.AddHours(-1)); // finished an hour ago
        var writing = Path.Combine(sim.BayDirectory(1), "VID0002.MP4");
        File.WriteAllBytes(writing, RandomBytes(300_000, 25)); // the camera is writing it now
        var settings = DockGateway.Settings(sim.Root, dir.Sub("data"), vault.Url);
        settings["Dock:SettleTime"] = "00:10:00"; // "now" stays unsettled for the whole test; the test decides when it is done

        await using var gateway = await DockGateway.StartAsync(settings);
        await Eventually.TrueAsync(() => !File.Exists(done), Patience, "the finished recording offloaded and wiped");
        await Eventually.TrueAsync(
            () => gateway.Sink.Envelopes.Any(e => e.DockStatus?.Bays.Any(b => b.Bay == 1 && b.Unaccepted.Any(u => u.Name == "VID0002.MP4" && u.Reason == NotAcceptedFile.StillBeingWritten)) == true),
            Patience, "VID0002.MP4 reported in the bay as still being written");
        Assert.True(File.Exists(writing));
        Assert.Equal(["done.mp4"], Receipts(vault.Directory).Select(r => r.Item.FileName).ToArray());
        Assert.DoesNotContain(Alarms(gateway, EvidenceAlarms.FileNotAccepted), e => e.Attributes["file"] == "VID0002.MP4");

        // The camera finishes it: more bytes, and then its time stands still (long enough ago).
        File.AppendAllBytes(writing, RandomBytes(200_000, 26));
        File.SetLastWriteTimeUtc(writing, DateTime.UtcNow.AddHours(-1));
        var whole = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(writing)));
        await Eventually.TrueAsync(() => !File.Exists(writing), Patience, "VID0002.MP4 offloaded whole and wiped once it settled");

        var receipt = Receipts(vault.Directory).Single(r => r.Item.FileName == "VID0002.MP4");
        Assert.Equal(500_000UL, receipt.Receipt.Size);
        Assert.Equal(whole, receipt.Receipt.Sha256);
        Assert.Equal(2, Receipts(vault.Directory).Count);
    }

    [Fact]
    public async Task Offload_ReceiptWithWrongSha256OrSize_NeverWipesAlarmsAndRetriesUntilItMatches()
    {
        using var dir = new TempDirectory();
        var sim = new DockSimulator(dir.Sub("bays"));
        await using var vault = await VaultHost.StartAsync(dir.Sub("vault"));
        await sim.DockAsync(1, Seed.Camera("BWV921", ("a.mp4", 2 * MiB, null)), await Seed.ClipAsync(), Ct);
        var tamper = new ReceiptTamperInterceptor { Tampering = true };

        await using var gateway = await DockGateway.StartAsync(DockGateway.Settings(sim.Root, dir.Sub("data"), vault.Url), tamper);
        await Eventually.TrueAsync(() => gateway.Counters.ReceiptMismatches >= 2, Patience, "a wrong SHA-256 and a wrong size, each rejected");

        Assert.Single(sim.Recordings(1));
        var id = gateway.Staging.ItemIds().Single();
        Assert.False(gateway.Custody(id).Contains("wiped"));
        Assert.False(gateway.Custody(id).Contains("uploaded"));
        Assert.Equal(0, gateway.Counters.ItemsVerified);
        await Eventually.TrueAsync(() => Alarms(gateway, EvidenceAlarms.ReceiptMismatch).Any(), Patience, "receipt-mismatch alarm");
        var alarm = Alarms(gateway, EvidenceAlarms.ReceiptMismatch).First();
        Assert.Equal(id, alarm.Attributes["evidence_id"]);
        Assert.Equal(new string('e', 64), alarm.Attributes["vault_sha256"]);

        tamper.Tampering = false;
        await Eventually.TrueAsync(() => sim.Recordings(1).Count == 0, Patience, "wiped once the receipt matches");
        Assert.True(tamper.Tampered >= 2);
        var verification = await EvidenceVerifier.VerifyAsync(vault.Directory, id, CustodyTrust.UnsignedOnly, Ct);
        Assert.True(verification.Ok, string.Join("; ", verification.Problems));
        Assert.Single(gateway.Custody(id).Entries, e => e.Event == "uploaded");
    }

    [Fact]
    public async Task Offload_ReceiptNeverArrives_TimesOutRetriesAndCompletesFromTheVaultsRecord()
    {
        using var dir = new TempDirectory();
        var sim = new DockSimulator(dir.Sub("bays"));
        await using var vault = await VaultHost.StartAsync(dir.Sub("vault"));
        await sim.DockAsync(1, Seed.Camera("BWV922", ("a.mp4", 2 * MiB, null)), await Seed.ClipAsync(), Ct);
        var withhold = new ReceiptTamperInterceptor { WithholdFirstReceipt = true };
        var settings = DockGateway.Settings(sim.Root, dir.Sub("data"), vault.Url);
        settings["Evidence:ReceiptTimeout"] = "00:00:01";

        await using var gateway = await DockGateway.StartAsync(settings, withhold);
        await Eventually.TrueAsync(() => sim.Recordings(1).Count == 0, Patience, "wiped after the retried call found the vault's receipt");

        Assert.Equal(1, withhold.Withheld);
        Assert.True(gateway.Counters.UploadRetries >= 1, "the silent call was abandoned and retried");
        var id = Receipts(vault.Directory).Single().Item.EvidenceId;
        Assert.Single(gateway.Custody(id).Entries, e => e.Event == "uploaded");
        var verification = await EvidenceVerifier.VerifyAsync(vault.Directory, id, CustodyTrust.UnsignedOnly, Ct);
        Assert.True(verification.Ok, string.Join("; ", verification.Problems));
    }

    [Fact]
    public async Task Offload_RecordingGrowsAfterItWasCopied_ReceiptDoesNotWipeItAndTheGrownFileIsANewItem()
    {
        using var dir = new TempDirectory();
        var sim = new DockSimulator(dir.Sub("bays"));
        await using var vault = await VaultHost.StartAsync(dir.Sub("vault"));
        await sim.DockAsync(1, Seed.Camera("BWV923", ("a.mp4", 8 * MiB, null)), await Seed.ClipAsync(), Ct);
        var settings = DockGateway.Settings(sim.Root, dir.Sub("data"), vault.Url);
        settings["Evidence:UploadBytesPerSecond"] = (2 * MiB).ToString(System.Globalization.CultureInfo.InvariantCulture);
        settings["Evidence:MaxConcurrentTransfers"] = "1";
        settings["Dock:FullRescanInterval"] = "00:00:01";
        var path = sim.Recordings(1).Single();
        var first = EvidenceIds.ForFile("BWV923", path);

        await using var gateway = await DockGateway.StartAsync(settings);
        await Eventually.TrueAsync(() => gateway.Custody(first).Contains("hashed"), Patience, "first 8 MiB copied and hashed, upload under way");
        File.AppendAllBytes(path, new byte[MiB]); // the camera was still writing it
        var grown = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(path)));
        await Eventually.TrueAsync(() => sim.Recordings(1).Count == 0, Patience, "the grown recording offloaded as its own item and wiped");

        var kept = gateway.Custody(first).Entries.Single(e => e.Event == "kept");
        Assert.Contains("not wiped: changed since it was copied", kept.Details, StringComparison.Ordinal);
        var receipts = Receipts(vault.Directory);
        Assert.Equal(2, receipts.Count);
        Assert.Equal(9 * MiB, (long)receipts.Single(r => r.Item.EvidenceId != first).Receipt.Size);
        Assert.Equal(grown, receipts.Single(r => r.Item.EvidenceId != first).Receipt.Sha256);
    }
}
