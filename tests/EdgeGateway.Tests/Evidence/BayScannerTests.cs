using EdgeGateway.Devices.Bwv;
using EdgeGateway.Simulators.Dock;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace EdgeGateway.Tests.Evidence;

public sealed class BayScannerTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    // Files the tests have just written are taken at once unless a test is about settling.
    private static BayScanner Scanner(string root, int bays, TimeProvider? time = null, DockOptions? options = null)
    {
        options ??= new DockOptions { SettleTime = TimeSpan.Zero };
        options.BaysRoot = root;
        options.Bays = bays;
        return new BayScanner(Options.Create(options), time ?? TimeProvider.System);
    }

    [Fact]
    public async Task Scan_DockedCamera_ReportsMarkerRecordingsAndSidecars()
    {
        using var dir = new TempDirectory();
        var sim = new DockSimulator(dir.Path);
        await sim.DockAsync(2, Seed.Camera("BWV777", ("a.mp4", 0, null), ("b.mp4", 0, "use-of-force")), await Seed.ClipAsync(), Ct);

        var bays = Scanner(dir.Path, 3).Scan();

        Assert.Equal(3, bays.Count);
        Assert.False(bays[0].Docked);
        var bay = bays[1];
        Assert.True(bay.Docked);
        Assert.Equal("BWV777", bay.Camera!.Serial);
        Assert.Equal(77, bay.Camera.BatteryPercent);
        Assert.Equal(["a.mp4", "b.mp4"], bay.Recordings.Select(r => r.FileName).Order().ToArray());
        Assert.Empty(bay.Unaccepted);
        var b = bay.Recordings.Single(r => r.FileName == "b.mp4");
        Assert.Equal(SidecarStatus.Ok, b.SidecarStatus);
        Assert.Equal("use-of-force", b.Sidecar!.Category);
        Assert.Equal("PC1234", b.Sidecar.OfficerId);
        Assert.NotEmpty(b.Sidecar.Gps!);
        Assert.True(b.Sidecar.EndUtc > b.Sidecar.StartUtc);
        Assert.Equal(b.Sidecar.StartUtc, b.RecordedAt);
        Assert.Equal(64, b.Fingerprint.Length);
    }

    [Fact]
    public async Task Scan_UpperCaseAndOtherFormats_AreRecordingsMatchedCaseInsensitively()
    {
        using var dir = new TempDirectory();
        var sim = new DockSimulator(dir.Path);
        await sim.DockAsync(1, Seed.Camera("BWV778", ("UPPER.MP4", 0, null), ("clip.MoV", 0, null), ("still.JPG", 4096, null), ("voice.wav", 4096, null)), await Seed.ClipAsync(), Ct);

        var bay = Scanner(dir.Path, 1).Scan()[0];

        Assert.Equal(["UPPER.MP4", "clip.MoV", "still.JPG", "voice.wav"], bay.Recordings.Select(r => r.FileName).Order(StringComparer.Ordinal).ToArray());
        Assert.All(bay.Recordings, r => Assert.Equal(SidecarStatus.Ok, r.SidecarStatus));
        Assert.Empty(bay.Unaccepted);
    }

    [Fact]
    public async Task Scan_ConfiguredExtensions_OnlyThoseAreRecordingsTheRestIsReported()
    {
        using var dir = new TempDirectory();
        var sim = new DockSimulator(dir.Path);
        await sim.DockAsync(1, Seed.Camera("BWV779", ("a.mp4", 0, null), ("b.mkv", 4096, null)), await Seed.ClipAsync(), Ct);

        var bay = Scanner(dir.Path, 1, options: new DockOptions { RecordingExtensions = ["MKV"], SettleTime = TimeSpan.Zero }).Scan()[0];

        Assert.Equal("b.mkv", Assert.Single(bay.Recordings).FileName);
        Assert.Contains(bay.Unaccepted, u => u.Name == "a.mp4" && u.Reason == "unknown type .mp4");
        Assert.Contains(bay.Unaccepted, u => u.Name == "a.json" && u.Reason == "sidecar without a recording");
    }

    [Fact]
    public async Task Scan_MissingInvalidSidecarsUnknownFilesAndFolders_AllAccountedFor()
    {
        using var dir = new TempDirectory();
        var sim = new DockSimulator(dir.Path);
        var camera = Seed.Camera("BWV780", ("ok.mp4", 0, null), ("lost.mp4", 0, null), ("torn.mp4", 0, null));
        camera = camera with
        {
            Recordings = [camera.Recordings[0], camera.Recordings[1] with { Sidecar = SimulatedSidecar.Missing }, camera.Recordings[2] with { Sidecar = SimulatedSidecar.Invalid }],
        };
        await sim.DockAsync(1, camera, await Seed.ClipAsync(), Ct);
        File.WriteAllText(Path.Combine(sim.BayDirectory(1), "notes.txt"), "hello");
        File.WriteAllBytes(Path.Combine(sim.BayDirectory(1), "NOEXT"), [1, 2, 3]);
        Directory.CreateDirectory(Path.Combine(sim.BayDirectory(1), "DCIM")); // empty: nothing in it to account for

        var bay = Scanner(dir.Path, 1).Scan()[0];

        Assert.Equal(3, bay.Recordings.Count);
        Assert.Equal(SidecarStatus.Ok, bay.Recordings.Single(r => r.FileName == "ok.mp4").SidecarStatus);
        var lost = bay.Recordings.Single(r => r.FileName == "lost.mp4");
        Assert.Equal(SidecarStatus.Missing, lost.SidecarStatus);
        Assert.Null(lost.Sidecar);
        Assert.Equal(lost.ModifiedUtc, lost.RecordedAt);
        var torn = bay.Recordings.Single(r => r.FileName == "torn.mp4");
        Assert.Equal(SidecarStatus.Invalid, torn.SidecarStatus);
        Assert.NotNull(torn.SidecarJson);
        Assert.Contains("not a valid sidecar", torn.SidecarProblem, StringComparison.Ordinal);
        Assert.Equal(
            ["NOEXT", "notes.txt"],
            bay.Unaccepted.Select(u => u.Name).Order(StringComparer.Ordinal).ToArray());
        Assert.Equal("unknown type .txt", bay.Unaccepted.Single(u => u.Name == "notes.txt").Reason);
        Assert.Equal(5, bay.Unaccepted.Single(u => u.Name == "notes.txt").Size);
    }

    [Fact]
    public async Task Scan_NestedFoldersHiddenTempSystemZeroLengthAndUnicodeNames_RecordingsTakenEverythingElseReported()
    {
        using var dir = new TempDirectory();
        var sim = new DockSimulator(dir.Path);
        var clip = await Seed.ClipAsync();
        var camera = Seed.Camera("BWV783", ("DCIM/100MEDIA/VID0001.MP4", 0, null), ("DCIM/101MEDIA/VID0001.MP4", 0, null), ("Statement – Jóhn Café 0001.mp4", 0, null));
        camera = camera with { Recordings = [camera.Recordings[0], camera.Recordings[1] with { Sidecar = SimulatedSidecar.Missing }, camera.Recordings[2]] };
        await sim.DockAsync(1, camera, clip, Ct);
        var bayDir = sim.BayDirectory(1);
        File.WriteAllBytes(Path.Combine(bayDir, "EMPTY.MP4"), []); // a recording the camera never wrote into
        File.WriteAllBytes(Path.Combine(bayDir, ".DS_Store"), new byte[6148]);
        File.WriteAllBytes(Path.Combine(bayDir, "DCIM", "100MEDIA", "._VID0001.MP4"), new byte[4096]); // AppleDouble from a Mac
        File.WriteAllBytes(Path.Combine(bayDir, "~VID0002.MP4"), new byte[100]);
        Directory.CreateDirectory(Path.Combine(bayDir, ".Trashes"));
        File.WriteAllBytes(Path.Combine(bayDir, ".Trashes", "VID0000.MP4"), new byte[100]);
        Directory.CreateDirectory(Path.Combine(bayDir, "System Volume Information"));
        File.WriteAllText(Path.Combine(bayDir, "DCIM", "101MEDIA", "VID0001.LOG"), "camera log");
        var deep = Path.Combine(bayDir, Path.Combine(Enumerable.Range(1, 10).Select(i => "d" + i).ToArray()));
        Directory.CreateDirectory(deep);
        File.WriteAllBytes(Path.Combine(deep, "VID9999.MP4"), new byte[10]);

        var bay = Scanner(dir.Path, 1).Scan()[0];

        Assert.Equal(
            ["DCIM/100MEDIA/VID0001.MP4", "DCIM/101MEDIA/VID0001.MP4", "EMPTY.MP4", "Statement – Jóhn Café 0001.mp4"],
            bay.Recordings.Select(r => r.FileName).Order(StringComparer.Ordinal).ToArray());
        Assert.Equal(SidecarStatus.Ok, bay.Recordings.Single(r => r.FileName == "DCIM/100MEDIA/VID0001.MP4").SidecarStatus);
        Assert.Equal(SidecarStatus.Missing, bay.Recordings.Single(r => r.FileName == "DCIM/101MEDIA/VID0001.MP4").SidecarStatus);
        Assert.Equal(SidecarStatus.Ok, bay.Recordings.Single(r => r.FileName.StartsWith("Statement", StringComparison.Ordinal)).SidecarStatus);
        Assert.Equal(0, bay.Recordings.Single(r => r.FileName == "EMPTY.MP4").Size);

        // The same name in two folders is two recordings with two identities.
        var ids = bay.Recordings.Select(EdgeGateway.Evidence.EvidenceIds.For).ToList();
        Assert.Equal(ids.Count, ids.Distinct().Count());

        var reasons = bay.Unaccepted.ToDictionary(u => u.Name, u => u.Reason);
        Assert.Equal(
            [".DS_Store", ".Trashes", "DCIM/100MEDIA/._VID0001.MP4", "DCIM/101MEDIA/VID0001.LOG", "System Volume Information", "d1/d2/d3/d4/d5/d6/d7/d8/d9", "~VID0002.MP4"],
            reasons.Keys.Order(StringComparer.Ordinal).ToArray());
        Assert.Equal("hidden or temporary file (not offloaded)", reasons[".DS_Store"]);
        Assert.Equal("hidden or temporary file (not offloaded)", reasons["~VID0002.MP4"]);
        Assert.Equal("hidden or system folder (not offloaded)", reasons[".Trashes"]);
        Assert.Equal("hidden or system folder (not offloaded)", reasons["System Volume Information"]);
        Assert.Equal("unknown type .LOG", reasons["DCIM/101MEDIA/VID0001.LOG"]);
        Assert.StartsWith("folder nested deeper than", reasons["d1/d2/d3/d4/d5/d6/d7/d8/d9"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Scan_RecordingStillBeingWritten_TakenOnlyOnceItsSizeAndTimeSettle()
    {
        using var dir = new TempDirectory();
        var sim = new DockSimulator(dir.Path);
        await sim.DockAsync(1, Seed.Camera("BWV784", ("old.mp4", 0, null)), await Seed.ClipAsync(), Ct);
        var old = Path.Combine(sim.BayDirectory(1), "old.mp4");
        File.SetLastWriteTimeUtc(old, DateTime.UtcNow.AddMinutes(-5));
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var scanner = Scanner(dir.Path, 1, time, new DockOptions { SettleTime = TimeSpan.FromSeconds(3) });
        var writing = Path.Combine(sim.BayDirectory(1), "VID0002.mp4");
        File.WriteAllBytes(writing, new byte[1000]);
        var ahead = Path.Combine(sim.BayDirectory(1), "AHEAD.mp4"); // a camera whose clock runs an hour fast
        File.WriteAllBytes(ahead, new byte[10]);
        File.SetLastWriteTimeUtc(ahead, DateTime.UtcNow.AddHours(1));

        var first = scanner.Scan()[0];
        Assert.Equal(["old.mp4"], first.Recordings.Select(r => r.FileName).ToArray());
        Assert.Equal(["AHEAD.mp4", "VID0002.mp4"], first.Settling.Order(StringComparer.Ordinal).ToArray());

        // Still growing: listed again at every check (its folder's time does not move while it grows).
        time.Advance(TimeSpan.FromSeconds(2));
        File.AppendAllBytes(writing, new byte[1000]);
        File.SetLastWriteTimeUtc(writing, time.GetUtcNow().UtcDateTime);
        var second = scanner.Scan()[0];
        Assert.Equal(2, scanner.Listings);
        Assert.Contains("VID0002.mp4", second.Settling);
        Assert.DoesNotContain("AHEAD.mp4", second.Recordings.Select(r => r.FileName));

        // Quiet for the settle time: taken at its final size; the one from the future once this dock saw it unchanged that long.
        time.Advance(TimeSpan.FromSeconds(4));
        var settled = scanner.Scan()[0];
        Assert.Empty(settled.Settling);
        Assert.Equal(["AHEAD.mp4", "VID0002.mp4", "old.mp4"], settled.Recordings.Select(r => r.FileName).Order(StringComparer.Ordinal).ToArray());
        Assert.Equal(2000, settled.Recordings.Single(r => r.FileName == "VID0002.mp4").Size);
    }

    [Fact]
    public async Task Scan_NewRecordingInANestedFolder_ListedAtTheNextCheckNotOnlyAtTheFullRescan()
    {
        using var dir = new TempDirectory();
        var sim = new DockSimulator(dir.Path);
        await sim.DockAsync(1, Seed.Camera("BWV785", ("DCIM/100MEDIA/a.mp4", 0, null)), await Seed.ClipAsync(), Ct);
        var folder = Path.Combine(sim.BayDirectory(1), "DCIM", "100MEDIA");
        var past = DateTime.UtcNow.AddMinutes(-5);
        foreach (var d in new[] { sim.BayDirectory(1), Path.Combine(sim.BayDirectory(1), "DCIM"), folder })
        {
            Directory.SetLastWriteTimeUtc(d, past);
        }

        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var scanner = Scanner(dir.Path, 1, time, new DockOptions { FullRescanInterval = TimeSpan.FromHours(1), SettleTime = TimeSpan.Zero });
        Assert.Single(scanner.Scan()[0].Recordings);
        time.Advance(TimeSpan.FromSeconds(1));
        scanner.Scan();
        Assert.Equal(1, scanner.Listings); // nothing changed: not listed again

        File.Copy(Path.Combine(folder, "a.mp4"), Path.Combine(folder, "b.mp4"));
        Directory.SetLastWriteTimeUtc(folder, past.AddMinutes(1)); // the folder's time moved (set into the past: settled)
        time.Advance(TimeSpan.FromSeconds(1));

        Assert.Equal(["DCIM/100MEDIA/a.mp4", "DCIM/100MEDIA/b.mp4"], scanner.Scan()[0].Recordings.Select(r => r.FileName).Order(StringComparer.Ordinal).ToArray());
        Assert.Equal(2, scanner.Listings);
    }

    [Fact]
    public async Task Scan_UnreadableRecording_ReportedNotSkipped()
    {
        using var dir = new TempDirectory();
        var sim = new DockSimulator(dir.Path);
        await sim.DockAsync(1, Seed.Camera("BWV781", ("a.mp4", 0, null)), await Seed.ClipAsync(), Ct);
        // A directory entry that cannot be opened, whoever runs the test (root reads any mode): a dangling link.
        File.CreateSymbolicLink(Path.Combine(sim.BayDirectory(1), "locked.mp4"), Path.Combine(dir.Path, "gone.mp4"));

        var bay = Scanner(dir.Path, 1).Scan()[0];

        Assert.Equal("a.mp4", Assert.Single(bay.Recordings).FileName);
        var locked = Assert.Single(bay.Unaccepted);
        Assert.Equal("locked.mp4", locked.Name);
        Assert.StartsWith("unreadable: ", locked.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Scan_NothingChanged_BayNotListedAgainUntilFolderChangesOrFullRescan()
    {
        using var dir = new TempDirectory();
        var sim = new DockSimulator(dir.Path);
        await sim.DockAsync(1, Seed.Camera("BWV782", ("a.mp4", 0, null)), await Seed.ClipAsync(), Ct);
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow.AddSeconds(10)); // past the folder's settle window
        var scanner = Scanner(dir.Path, 1, time, new DockOptions { FullRescanInterval = TimeSpan.FromMinutes(1) });

        Assert.Single(scanner.Scan()[0].Recordings);
        Assert.Equal(1, scanner.Listings);
        for (var i = 0; i < 5; i++)
        {
            time.Advance(TimeSpan.FromSeconds(1));
            Assert.Single(scanner.Scan()[0].Recordings);
        }

        Assert.Equal(1, scanner.Listings);

        // A new file changes the folder: listed again at the next check.
        await sim.AddRecordingAsync(1, Seed.Camera("BWV782"), Seed.Camera("BWV782", ("b.mp4", 0, null)).Recordings[0], await Seed.ClipAsync(), 99, Ct);
        time.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(2, scanner.Scan()[0].Recordings.Count);
        Assert.Equal(2, scanner.Listings);

        // Safety net: a full rescan after FullRescanInterval even without a visible change.
        time.Advance(TimeSpan.FromSeconds(61));
        scanner.Scan();
        Assert.Equal(3, scanner.Listings);
    }

    [Fact]
    public async Task Scan_MarkerGone_BayUndocked()
    {
        using var dir = new TempDirectory();
        var sim = new DockSimulator(dir.Path);
        await sim.DockAsync(1, Seed.Camera("BWV1", ("a.mp4", 0, null)), await Seed.ClipAsync(), Ct);
        sim.Undock(1);

        var bay = BayScanner.ScanBay(1, sim.BayDirectory(1));

        Assert.False(bay.Docked);
        Assert.Empty(bay.Recordings);
    }
}
