using System.Globalization;
using EdgeGateway.Devices.InCarVideo.Recording;
using EdgeGateway.Evidence;
using EdgeGateway.Simulators.InCarCamera;
using EdgeGateway.Tests.Evidence;
using FleetControl.Evidence;
using FleetControl.Identity;
using FleetControl.Tests.Evidence;

namespace EdgeGateway.Tests.Devices.InCarVideo;

/// <summary>
/// SIGKILL of the real vehicle gateway process while a clip is being recorded, and again while it is being uploaded:
/// each restart continues the same clip, and it reaches the vault exactly once, verified.
/// </summary>
public sealed class VideoCrashTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Gateway_KilledWhileRecordingAndWhileUploading_ClipReachesTheVaultOnceVerified()
    {
        using var dir = new TempDirectory();
        await using var vault = await VaultHost.StartAsync(dir.Sub("vault"));
        await using var camera = InCarCameraSimulator.Start("front", VideoTestRig.FreeUdpPort(), Path.Combine(dir.Path, "front.log"));
        var data = dir.Sub("data");
        var scenario = Path.Combine(dir.Path, "scenario.txt");
        await File.WriteAllLinesAsync(scenario, ["5s light-bar on"], Ct); // and never off: the kill comes first
        var settings = VideoTestRig.VehicleProcessSettings(data, vault.Url, camera, scenario, ("light-bar", 17));
        var staging = VideoTestRig.Staging(data);
        var storage = new VaultStorage(vault.Directory);
        string Clip() => staging.ItemIds().SingleOrDefault() ?? string.Empty;
        int Count(string evt) => Clip() is { Length: > 0 } id ? staging.OpenCustody(id).Entries.Count(e => e.Event == evt) : 0;

        // 1: killed mid-clip, the light bar still on.
        await using (var first = GatewayProcess.Start(settings, dir.Sub("run1")))
        {
            await Eventually.TrueAsync(() => Count("segment") >= 5 || first.HasExited, Patience, "the clip recording (pre-event and live segments)");
            Assert.False(first.HasExited, first.Log);
            await first.KillAsync();
        }

        Assert.Equal(0, Count("finalised"));

        // 2: the restart finalises the same clip (post-event from the restart) and uploads it slowly; killed mid-upload.
        settings.Remove("InCarVideo:ScenarioFile");
        settings["Evidence:ChunkBytes"] = "16384";
        settings["Evidence:UploadBytesPerSecond"] = "16384";
        var id = Clip();
        await using (var second = GatewayProcess.Start(settings, dir.Sub("run2")))
        {
            await Eventually.TrueAsync(() => File.Exists(storage.PartialPath(id)) && new FileInfo(storage.PartialPath(id)).Length >= 32 * 1024 || second.HasExited, Patience, "32 KiB of the clip in the vault");
            Assert.False(second.HasExited, second.Log);
            await second.KillAsync();
        }

        Assert.Equal(0, Count("uploaded"));
        Assert.True(File.Exists(staging.KeyPath(id)), "the clip is staged encrypted at rest (its wrapped data key)");
        Assert.True((await File.ReadAllBytesAsync(staging.DataPath(id), Ct)).AsSpan().IndexOf("ftyp"u8) < 0, "the staged clip is a plaintext MP4");
        Assert.False(File.Exists(staging.DataPath(id) + ".mp4"), "ffmpeg's plaintext output outlived the encryption");

        // 3: the upload resumes at the vault's offset; the clip is not assembled again.
        settings.Remove("Evidence:UploadBytesPerSecond");
        await using (var third = GatewayProcess.Start(settings, dir.Sub("run3")))
        {
            await Eventually.TrueAsync(() => ClipFinisher.IsDone(staging.OpenCustody(id)) || third.HasExited, Patience, "the clip verified in the vault");
            Assert.False(third.HasExited, third.Log);
        }

        Assert.Equal(id, Clip()); // one clip, the same one throughout
        var chain = staging.OpenCustody(id).Entries;
        foreach (var once in (string[])["captured", "resumed", "finalised", "assembled", "hashed", "received", "stored", "uploaded"])
        {
            Assert.Single(chain, e => e.Event == once);
        }

        Assert.Equal("light-bar", RecordingOffloader.Field(chain.Single(e => e.Event == "trigger").Details, "source"));
        var uploaded = chain.Single(e => e.Event == "uploaded");
        Assert.True(long.Parse(RecordingOffloader.Field(uploaded.Details, "resumedFrom"), CultureInfo.InvariantCulture) > 0, uploaded.Details);
        Assert.Single(Directory.GetFiles(vault.Directory, "*" + VaultStorage.RecordSuffix));
        var verification = await EvidenceVerifier.VerifyAsync(vault.Directory, id, CustodyTrust.UnsignedOnly, Ct);
        Assert.True(verification.Ok, string.Join("; ", verification.Problems));
    }
}
