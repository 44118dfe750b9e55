using System.Buffers.Binary;
using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.Json;
using EdgeGateway.Simulators.Dock;

namespace EdgeGateway.Simulators.Tests.Dock;

public sealed class DockSimulatorTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "eg-dock-" + Guid.NewGuid().ToString("N")[..12]);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    private Task<string> SeedAsync() => new ClipFactory(Path.Combine(_root, ".cache")).EnsureSeedClipAsync(2, Ct).WaitAsync(TimeSpan.FromSeconds(60), Ct);

    private static SimulatedCamera Camera(string serial, long bigSize) => new(serial, 63, "PC77", [
        new SimulatedRecording("clip.mp4", 0, "manual", null, new DateTimeOffset(2026, 11, 23, 8, 0, 0, TimeSpan.Zero), TimeSpan.FromSeconds(30)),
        new SimulatedRecording("big.mp4", bigSize, "taser", "use-of-force", new DateTimeOffset(2026, 11, 23, 9, 0, 0, TimeSpan.Zero), TimeSpan.FromMinutes(20)),
    ]);

    [Fact]
    public async Task EnsureSeedClip_Ffmpeg_ProducesPlayableMp4()
    {
        var clip = await SeedAsync();

        var bytes = File.ReadAllBytes(clip);
        Assert.Equal("ftyp"u8.ToArray(), bytes.AsSpan(4, 4).ToArray());
        var probe = Process.Start(new ProcessStartInfo("ffprobe", ["-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0", clip]) { RedirectStandardOutput = true })!;
        var duration = await probe.StandardOutput.ReadToEndAsync(Ct).WaitAsync(TimeSpan.FromSeconds(30), Ct);
        await probe.WaitForExitAsync(Ct).WaitAsync(TimeSpan.FromSeconds(30), Ct);
        Assert.Equal(2.0, double.Parse(duration.Trim(), System.Globalization.CultureInfo.InvariantCulture), 1);
    }

    [Fact]
    public async Task WriteRecording_BigSize_ExactRealBytesInFreeBoxAndUniquePerSeed()
    {
        var clip = await SeedAsync();
        var a = Path.Combine(_root, "a.mp4");
        var b = Path.Combine(_root, "b.mp4");
        const long size = 9 * 1024 * 1024 + 123;

        await ClipFactory.WriteRecordingAsync(clip, a, size, 1, Ct);
        await ClipFactory.WriteRecordingAsync(clip, b, size, 2, Ct);

        Assert.Equal(size, new FileInfo(a).Length);
        var bytes = File.ReadAllBytes(a);
        var clipLength = new FileInfo(clip).Length;
        Assert.Equal("free"u8.ToArray(), bytes.AsSpan((int)clipLength + 4, 4).ToArray());
        Assert.Equal((ulong)(size - clipLength), BinaryPrimitives.ReadUInt64BigEndian(bytes.AsSpan((int)clipLength + 8)));
        Assert.NotEqual(SHA256.HashData(bytes), SHA256.HashData(File.ReadAllBytes(b)));
        // Blocks differ too (counter), so no two 4 MiB blocks of one file are identical.
        var payload = (int)clipLength + 16;
        Assert.NotEqual(bytes.AsSpan(payload, 64).ToArray(), bytes.AsSpan(payload + (4 * 1024 * 1024), 64).ToArray());
    }

    [Fact]
    public async Task Dock_Camera_VolumeWithSidecarsAndMarkerThenUndockPullRedock()
    {
        var sim = new DockSimulator(_root);
        await sim.DockAsync(3, Camera("BWV42", 5 * 1024 * 1024), await SeedAsync(), Ct);

        Assert.True(sim.IsDocked(3));
        Assert.Equal(2, sim.Recordings(3).Count);
        using (var marker = JsonDocument.Parse(File.ReadAllText(sim.MarkerPath(3))))
        {
            Assert.Equal("BWV42", marker.RootElement.GetProperty("serial").GetString());
            Assert.Equal(63, marker.RootElement.GetProperty("batteryPercent").GetInt32());
        }

        using (var sidecar = JsonDocument.Parse(File.ReadAllText(Path.Combine(sim.BayDirectory(3), "big.json"))))
        {
            var s = sidecar.RootElement;
            Assert.Equal("BWV42", s.GetProperty("cameraSerial").GetString());
            Assert.Equal("PC77", s.GetProperty("officerId").GetString());
            Assert.Equal("taser", s.GetProperty("trigger").GetString());
            Assert.Equal("use-of-force", s.GetProperty("category").GetString());
            Assert.True(s.GetProperty("endUtc").GetDateTimeOffset() > s.GetProperty("startUtc").GetDateTimeOffset());
            Assert.True(s.GetProperty("gps").GetArrayLength() >= 2);
        }

        var hash = SHA256.HashData(File.ReadAllBytes(Path.Combine(sim.BayDirectory(3), "big.mp4")));
        sim.Pull(3);
        Assert.False(Directory.Exists(sim.BayDirectory(3)));
        sim.Redock(3);
        Assert.True(sim.IsDocked(3));
        Assert.Equal(hash, SHA256.HashData(File.ReadAllBytes(Path.Combine(sim.BayDirectory(3), "big.mp4"))));

        sim.Undock(3);
        Assert.False(sim.IsDocked(3));
        sim.Redock(3);
        Assert.True(sim.IsDocked(3));
    }

    [Theory]
    [InlineData("2GiB", 2L * 1024 * 1024 * 1024)]
    [InlineData("256MiB", 256L * 1024 * 1024)]
    [InlineData("1.5KiB", 1536L)]
    [InlineData("10MB", 10_000_000L)]
    [InlineData("4096", 4096L)]
    public void SizeParser_KnownUnits_Parse(string text, long expected)
    {
        Assert.True(SizeParser.TryParse(text, out var bytes));
        Assert.Equal(expected, bytes);
    }

    [Fact]
    public async Task DockCommand_Once_DocksCamerasIntoBays()
    {
        var output = new StringWriter();

        var code = await DockCommand.RunAsync(["--root", _root, "--bays", "2", "--cameras", "3", "--recordings", "2", "--clip-seconds", "1", "--big-file-size", "2MiB", "--once"], output, TextWriter.Null, Ct)
            .WaitAsync(TimeSpan.FromSeconds(60), Ct);

        Assert.Equal(0, code);
        var sim = new DockSimulator(_root);
        Assert.True(sim.IsDocked(1));
        Assert.True(sim.IsDocked(2));
        Assert.Equal(3, sim.Recordings(1).Count);
        Assert.Contains("bay 2: docked BWV100001", output.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task DockCommand_RecordingsWiped_UndocksAndDocksNextCameraUntilAllOffloaded()
    {
        var output = new StringWriter();
        var sim = new DockSimulator(_root);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var writer = TextWriter.Synchronized(output); // its writes lock the writer; reads below take the same lock
        var run = DockCommand.RunAsync(["--root", _root, "--bays", "2", "--cameras", "3", "--recordings", "1", "--clip-seconds", "1", "--critical-every", "0"], writer, TextWriter.Null, stop.Token);

        // Play the gateway: wipe whatever is docked until the command says every camera is offloaded.
        var start = TimeProvider.System.GetTimestamp();
        while (!run.IsCompleted)
        {
            if (TimeProvider.System.GetElapsedTime(start) >= TimeSpan.FromSeconds(60))
            {
                lock (writer)
                {
                    Assert.Fail("dock command did not finish: " + output);
                }
            }
            foreach (var bay in new[] { 1, 2 })
            {
                if (sim.IsDocked(bay))
                {
                    foreach (var file in sim.Recordings(bay))
                    {
                        File.Delete(file);
                    }
                }
            }

            await Task.WhenAny(run, Task.Delay(TimeSpan.FromMilliseconds(100), Ct));
        }

        Assert.Equal(0, await run);
        var text = output.ToString();
        Assert.Contains("docked BWV100002", text, StringComparison.Ordinal);
        Assert.Contains("BWV100002 offloaded, undocked", text, StringComparison.Ordinal);
        Assert.EndsWith("dock: every camera offloaded" + Environment.NewLine, text, StringComparison.Ordinal);
        Assert.False(sim.IsDocked(1));
        Assert.False(sim.IsDocked(2));
    }

    [Fact]
    public async Task CameraFleet_WithFaults_UpperCaseExtensionsMissingAndTornSidecarsOnDisk()
    {
        var fleet = CameraFleet.Create(4, 3, 2, 0, 1, 0, new DateTimeOffset(2026, 11, 23, 8, 0, 0, TimeSpan.Zero));
        var sim = new DockSimulator(_root);
        var seed = await SeedAsync();
        for (var i = 0; i < fleet.Count; i++)
        {
            await sim.DockAsync(i + 1, fleet[i], seed, Ct);
        }

        var recordings = Enumerable.Range(1, fleet.Count).SelectMany(sim.Recordings).ToList();
        Assert.Equal(12, recordings.Count);
        Assert.Contains(recordings, r => r.EndsWith(".MP4", StringComparison.Ordinal));
        var sidecars = recordings.Select(r => Path.ChangeExtension(r, ".json")).ToList();
        Assert.Contains(sidecars, s => !File.Exists(s));
        Assert.Contains(sidecars, s => File.Exists(s) && !IsJson(File.ReadAllText(s)));
        Assert.True(sidecars.Count(s => File.Exists(s) && IsJson(File.ReadAllText(s))) >= 9);
    }

    [Fact]
    public async Task DockAsync_LaterGeneration_SameNamesAndSizesOtherBytes()
    {
        var sim = new DockSimulator(_root);
        var seed = await SeedAsync();
        var camera = Camera("BWV42", 3 * 1024 * 1024);
        await sim.DockAsync(1, camera, seed, Ct);
        var first = sim.Recordings(1).ToDictionary(f => Path.GetFileName(f)!, f => (new FileInfo(f).Length, Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(f)))));
        sim.Undock(1);

        await sim.DockAsync(1, camera, seed, Ct, generation: 1);

        var second = sim.Recordings(1).ToDictionary(f => Path.GetFileName(f)!, f => (new FileInfo(f).Length, Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(f)))));
        Assert.Equal(first.Keys.Order(), second.Keys.Order());
        Assert.Equal(first["big.mp4"].Length, second["big.mp4"].Length);
        Assert.NotEqual(first["big.mp4"].Item2, second["big.mp4"].Item2);
    }

    private static bool IsJson(string text)
    {
        try
        {
            using var _ = JsonDocument.Parse(text);
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
