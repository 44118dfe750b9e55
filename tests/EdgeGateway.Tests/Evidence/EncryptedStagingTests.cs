using System.Security.Cryptography;
using EdgeGateway.Devices.Bwv;
using EdgeGateway.Evidence;
using EdgeGateway.Hosting;
using EdgeGateway.Security;
using EdgeGateway.Simulators.Dock;
using Microsoft.Extensions.Options;

namespace EdgeGateway.Tests.Evidence;

/// <summary>Staged copies encrypted at rest: the bytes on disk are not the footage, the hash and reads are of the plaintext.</summary>
public sealed class EncryptedStagingTests
{
    private const long MiB = 1024 * 1024;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    internal static StagingArea Staging(string data, EvidenceOptions? options = null) =>
        new(Options.Create(options ?? new EvidenceOptions()), Options.Create(new GatewayOptions { DeviceId = "d", DataDirectory = data }),
            keys: new FileDataKeyWrapper(Path.Combine(data, "identity")));

    /// <summary>True when any of 16 windows of 32 bytes spread over <paramref name="source"/> appears in <paramref name="staged"/>.</summary>
    internal static bool ContainsPlaintext(ReadOnlySpan<byte> staged, ReadOnlySpan<byte> source)
    {
        for (var i = 0; i < 16; i++)
        {
            var at = (int)((long)(source.Length - 32) * i / 16);
            if (staged.IndexOf(source.Slice(at, 32)) >= 0)
            {
                return true;
            }
        }

        return false;
    }

    private static async Task<DockedRecording> DockAsync(TempDirectory dir, long size)
    {
        var sim = new DockSimulator(dir.Sub("bays"));
        await sim.DockAsync(1, Seed.Camera("BWV910", ("enc.mp4", size, null)), await Seed.ClipAsync(), Ct);
        return BayScanner.ScanBay(1, sim.BayDirectory(1)).Recordings.Single();
    }

    private static async Task<byte[]> ReadPlainAsync(StagingArea staging, string id, long size)
    {
        using var reader = staging.OpenReader(id);
        var plain = new byte[size];
        Assert.Equal(size, await reader.ReadAsync(0, plain, Ct));
        return plain;
    }

    [Fact]
    public async Task CopyAsync_EncryptionOn_StagedFileIsNotPlaintextAndReadsBackAsTheRecording()
    {
        using var dir = new TempDirectory();
        var rec = await DockAsync(dir, (10 * MiB) + 12345);
        var options = new EvidenceOptions { CheckpointBytes = 4 * MiB, CopyBufferBytes = (int)MiB };
        var staging = Staging(dir.Sub("data"), options);
        var source = File.ReadAllBytes(rec.VideoPath);

        var result = await new RecordingCopier(staging, Options.Create(options), TimeProvider.System)
            .CopyAsync(rec, "ev-enc", _ => { }, Ct).WaitAsync(TimeSpan.FromSeconds(30), Ct);

        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(source)), result.Sha256); // the hash is of the plaintext
        var staged = File.ReadAllBytes(staging.DataPath("ev-enc"));
        Assert.False(ContainsPlaintext(staged, source), "the staged file holds the footage in the clear");
        Assert.Equal(StagingCipher.FileLength(source.Length), staged.Length);
        Assert.False(EdgeGateway.Contracts.Security.PrivateFile.IsTooOpen(staging.KeyPath("ev-enc")), "the wrapped data key is mode 0600");
        Assert.Equal(source, await ReadPlainAsync(staging, "ev-enc", source.Length));
        using (var reader = staging.OpenReader("ev-enc"))
        {
            var middle = new byte[3 * MiB];
            Assert.Equal(middle.Length, await reader.ReadAsync((2 * MiB) + 777, middle, Ct)); // across record boundaries
            Assert.Equal(source.AsSpan((int)(2 * MiB) + 777, middle.Length).ToArray(), middle);
        }

        staging.FreeData("ev-enc");
        Assert.False(File.Exists(staging.KeyPath("ev-enc")));
    }

    [Fact]
    public async Task CopyAsync_EncryptedCopyUndockedAndRedocked_ResumesAtARecordBoundaryWithThePlaintextHash()
    {
        using var dir = new TempDirectory();
        var rec = await DockAsync(dir, 32 * MiB);
        var options = new EvidenceOptions { CheckpointBytes = 4 * MiB, CopyBufferBytes = (int)MiB, CopyBytesPerSecond = 16 * MiB };
        var staging = Staging(dir.Sub("data"), options);
        var marker = File.ReadAllBytes(rec.MarkerPath);
        var removed = false;
        var copier = new RecordingCopier(staging, Options.Create(options), TimeProvider.System);

        await Assert.ThrowsAsync<CameraUndockedException>(() => copier.CopyAsync(rec, "ev-res", done =>
        {
            if (done >= 9 * MiB && !removed)
            {
                removed = true;
                File.Delete(rec.MarkerPath);
            }
        }, Ct).WaitAsync(TimeSpan.FromSeconds(30), Ct));
        var durable = staging.ReadProgress("ev-res")!.Offset;
        Assert.True(durable > 0 && durable % StagingCipher.SegmentSize == 0, $"durable offset {durable}");
        Assert.Equal(StagingCipher.FileLength(durable), new FileInfo(staging.DataPath("ev-res")).Length);

        File.WriteAllBytes(rec.MarkerPath, marker);
        var result = await new RecordingCopier(staging, Options.Create(options), TimeProvider.System)
            .CopyAsync(rec, "ev-res", _ => { }, Ct).WaitAsync(TimeSpan.FromSeconds(30), Ct);

        var source = File.ReadAllBytes(rec.VideoPath);
        Assert.Equal(durable, result.ResumedFrom);
        Assert.Null(result.PrefixMismatchAt);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(source)), result.Sha256);
        Assert.Equal(source, await ReadPlainAsync(staging, "ev-res", source.Length));
        Assert.False(ContainsPlaintext(File.ReadAllBytes(staging.DataPath("ev-res")), source));
    }

    [Fact]
    public async Task CopyAsync_StagedRecordAltered_ResumeStartsOverInsteadOfUsingIt()
    {
        using var dir = new TempDirectory();
        var rec = await DockAsync(dir, 8 * MiB);
        var options = new EvidenceOptions { CheckpointBytes = 2 * MiB, CopyBufferBytes = (int)MiB };
        var staging = Staging(dir.Sub("data"), options);
        var copier = new RecordingCopier(staging, Options.Create(options), TimeProvider.System);
        await copier.CopyAsync(rec, "ev-alt", _ => { }, Ct).WaitAsync(TimeSpan.FromSeconds(30), Ct);

        // One bit of the second record flipped, then the copy "resumes" from a durable 4 MiB.
        using (var file = File.Open(staging.DataPath("ev-alt"), FileMode.Open))
        {
            file.Position = StagingCipher.RecordSize + 100;
            var b = file.ReadByte();
            file.Position--;
            file.WriteByte((byte)(b ^ 1));
        }

        staging.WriteProgress("ev-alt", new CopyProgress(4 * MiB, rec.Size, null));
        await Assert.ThrowsAsync<InvalidDataException>(async () => await ReadPlainAsync(staging, "ev-alt", rec.Size));
        var result = await copier.CopyAsync(rec, "ev-alt", _ => { }, Ct).WaitAsync(TimeSpan.FromSeconds(30), Ct);

        Assert.Equal((long)StagingCipher.SegmentSize, result.PrefixMismatchAt);
        Assert.Equal(0, result.ResumedFrom);
        Assert.Equal(File.ReadAllBytes(rec.VideoPath), await ReadPlainAsync(staging, "ev-alt", rec.Size));
    }
}
