using FleetControl.Identity;
using FleetControl.Tests.Evidence;
using System.Globalization;
using EdgeGateway.Evidence;
using EdgeGateway.Hosting;
using EdgeGateway.Simulators.Dock;
using FleetControl.Evidence;
using Microsoft.Extensions.Options;

namespace EdgeGateway.Tests.Evidence;

/// <summary>SIGKILL of the real gateway process mid-copy and mid-upload: the restart resumes from the last durable offset.</summary>
public sealed class CrashResumeTests
{
    private const long MiB = 1024 * 1024;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    internal static StagingArea Staging(string data) =>
        new(Options.Create(new EvidenceOptions()), Options.Create(new GatewayOptions { DeviceId = "x", DataDirectory = data }));

    private static long Number(string details, string field) => long.Parse(RecordingOffloader.Field(details, field), CultureInfo.InvariantCulture);

    [Fact]
    public async Task Gateway_KilledDuringCopy_RestartResumesFromDurableOffset()
    {
        using var dir = new TempDirectory();
        var sim = new DockSimulator(dir.Sub("bays"));
        await using var vault = await VaultHost.StartAsync(dir.Sub("vault"));
        const long size = 128 * MiB;
        const long checkpoint = 8 * MiB;
        await sim.DockAsync(1, Seed.Camera("BWV700", ("long.mp4", size, null)), await Seed.ClipAsync(), Ct);
        var data = dir.Sub("data");
        var settings = DockGateway.Settings(sim.Root, data, vault.Url);
        settings["Evidence:CheckpointBytes"] = checkpoint.ToString(CultureInfo.InvariantCulture);
        settings["Evidence:CopyBufferBytes"] = MiB.ToString(CultureInfo.InvariantCulture);
        settings["Evidence:CopyBytesPerSecond"] = (40 * MiB).ToString(CultureInfo.InvariantCulture);
        var staging = Staging(data);
        var id = EvidenceIds.ForFile("BWV700", sim.Recordings(1).Single());
        var camera = File.ReadAllBytes(sim.Recordings(1).Single());
        var cameraSha = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(camera));

        long stagedAtKill;
        await using (var first = GatewayProcess.Start(settings, dir.Sub("run1")))
        {
            await Eventually.TrueAsync(() => staging.ReadProgress(id) is { Offset: >= 48 * MiB } || first.HasExited, Patience, "48 MiB copied durably");
            Assert.False(first.HasExited, first.Log);
            await first.KillAsync();
            stagedAtKill = staging.StagedBytes(id);
        }

        // Encrypted at rest (the default): what a stolen dock's disk holds is not the footage.
        Assert.True(File.Exists(staging.KeyPath(id)), "the staged copy has its wrapped data key");
        Assert.False(EncryptedStagingTests.ContainsPlaintext(File.ReadAllBytes(staging.DataPath(id)), camera), "the staged copy is plaintext on disk");

        var durable = staging.ReadProgress(id)!.Offset;
        Assert.True(durable >= 48 * MiB);
        Assert.True(stagedAtKill - durable <= checkpoint + MiB, $"at most one checkpoint interval is lost (staged {stagedAtKill}, durable {durable})");

        settings["Evidence:CopyBytesPerSecond"] = "0";
        await using (var second = GatewayProcess.Start(settings, dir.Sub("run2")))
        {
            await Eventually.TrueAsync(() => sim.Recordings(1).Count == 0 || second.HasExited, Patience, "offloaded after restart");
            Assert.False(second.HasExited, second.Log);
        }

        var custody = staging.OpenCustody(id);
        var resumed = custody.Entries.Single(e => e.Event == "resumed");
        Assert.Equal(durable, Number(resumed.Details, "offset"));
        var copied = custody.Entries.Single(e => e.Event == "copied");
        Assert.Equal(durable, Number(copied.Details, "resumedFrom"));
        Assert.Equal(size - durable, Number(copied.Details, "copiedThisRun"));
        // The hash and the vault's receipt are of the plaintext footage, as if nothing had been encrypted.
        Assert.Equal(cameraSha, RecordingOffloader.Field(custody.Entries.Single(e => e.Event == "hashed").Details, "sha256"));
        Assert.Contains($"receipt sha256={cameraSha} ", custody.Entries.Last(e => e.Event == "verified").Details, StringComparison.Ordinal);
        Assert.Equal(camera, File.ReadAllBytes(Directory.EnumerateFiles(vault.Directory, "*", SearchOption.AllDirectories).Single(f => new FileInfo(f).Length == size)));
        var verification = await EvidenceVerifier.VerifyAsync(vault.Directory, id, CustodyTrust.UnsignedOnly, Ct);
        Assert.True(verification.Ok, string.Join("; ", verification.Problems));
    }

    [Fact]
    public async Task Gateway_KilledDuringUpload_RestartResumesAtVaultOffset()
    {
        using var dir = new TempDirectory();
        var sim = new DockSimulator(dir.Sub("bays"));
        await using var vault = await VaultHost.StartAsync(dir.Sub("vault"), checkpointBytes: 4 * MiB);
        const long size = 96 * MiB;
        await sim.DockAsync(2, Seed.Camera("BWV800", ("long.mp4", size, null)), await Seed.ClipAsync(), Ct);
        var data = dir.Sub("data");
        var settings = DockGateway.Settings(sim.Root, data, vault.Url);
        settings["Evidence:UploadBytesPerSecond"] = (32 * MiB).ToString(CultureInfo.InvariantCulture);
        var storage = new VaultStorage(vault.Directory);
        var id = EvidenceIds.ForFile("BWV800", sim.Recordings(2).Single());

        await using (var first = GatewayProcess.Start(settings, dir.Sub("run1")))
        {
            await Eventually.TrueAsync(() => storage.RecoverOffset(id, null) >= 32 * MiB || first.HasExited, Patience, "32 MiB held by the vault");
            Assert.False(first.HasExited, first.Log);
            await first.KillAsync();
        }

        settings["Evidence:UploadBytesPerSecond"] = "0";
        await using (var second = GatewayProcess.Start(settings, dir.Sub("run2")))
        {
            await Eventually.TrueAsync(() => sim.Recordings(2).Count == 0 || second.HasExited, Patience, "offloaded after restart");
            Assert.False(second.HasExited, second.Log);
        }

        var custody = Staging(data).OpenCustody(id);
        Assert.Single(custody.Entries, e => e.Event == "copied"); // the staged copy was not redone
        var uploaded = custody.Entries.Single(e => e.Event == "uploaded");
        var resumedFrom = Number(uploaded.Details, "resumedFrom");
        Assert.True(resumedFrom >= 32 * MiB, uploaded.Details);
        Assert.Equal(size - resumedFrom, Number(uploaded.Details, "sentThisRun"));
        var verification = await EvidenceVerifier.VerifyAsync(vault.Directory, id, CustodyTrust.UnsignedOnly, Ct);
        Assert.True(verification.Ok, string.Join("; ", verification.Problems));
    }
}
