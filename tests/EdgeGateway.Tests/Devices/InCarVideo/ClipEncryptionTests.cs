using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using EdgeGateway.Contracts.V1;
using EdgeGateway.Devices.InCarVideo.Recording;
using EdgeGateway.Evidence;
using EdgeGateway.Hosting;
using EdgeGateway.Security;
using EdgeGateway.Tests.Evidence;
using FleetControl.Evidence;
using FleetControl.Identity;
using FleetControl.Tests.Evidence;
using Grpc.Net.Client;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace EdgeGateway.Tests.Devices.InCarVideo;

/// <summary>
/// In-car clips at rest: real ffmpeg assembles real H.264 segments, the finisher stages the clip encrypted (the dock's
/// <see cref="StagingCipher"/> format), the plaintext is gone, and the vault's receipt is of the plaintext clip.
/// </summary>
public sealed class ClipEncryptionTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task MakeSegmentsAsync(string folder)
    {
        Directory.CreateDirectory(folder);
        var info = new ProcessStartInfo("ffmpeg") { RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in (string[])[
            "-hide_banner", "-nostdin", "-loglevel", "error", "-f", "lavfi", "-i", "testsrc=size=160x120:rate=10", "-t", "3",
            "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-g", "10", "-f", "segment", "-segment_time", "1",
            Path.Combine(folder, "seg-%03d.ts")])
        {
            info.ArgumentList.Add(arg);
        }

        using var process = Process.Start(info)!;
        var stderr = await process.StandardError.ReadToEndAsync(Ct).WaitAsync(Patience, Ct);
        await process.WaitForExitAsync(Ct).WaitAsync(Patience, Ct);
        Assert.True(process.ExitCode == 0, stderr);
    }

    private static ClipFinisher Finisher(StagingArea staging, GatewayOptions gateway, string vaultUrl, GrpcChannel channel) =>
        new(staging,
            new EvidenceUploader(new EvidenceVault.EvidenceVaultClient(channel), Options.Create(new EvidenceOptions { UploadRetries = 0 }),
                new EvidenceCounters(), TimeProvider.System, NullLogger<EvidenceUploader>.Instance),
            new VideoCounters(), Options.Create(new VideoOptions()), Options.Create(new GatewayOptions { DeviceId = gateway.DeviceId, DataDirectory = gateway.DataDirectory, FleetControlUrl = vaultUrl }), TimeProvider.System,
            NullLogger<ClipFinisher>.Instance);

    [Fact]
    public async Task Finish_EncryptionOn_StagedClipIsNotPlaintext_KilledRunsLeftoversReplaced_ReceiptIsOfThePlaintextClip()
    {
        using var dir = new TempDirectory();
        var data = dir.Sub("data");
        var gateway = new GatewayOptions { DeviceId = "vehicle-test", DataDirectory = data };
        var staging = new StagingArea(Options.Create(new EvidenceOptions { MinFreeDiskBytes = 0 }), Options.Create(gateway),
            keys: new FileDataKeyWrapper(Path.Combine(data, "identity")));
        const string id = "vehicle-test-inc-1-front";
        var now = DateTimeOffset.UtcNow;
        var incident = new Incident
        {
            Id = "inc-1", FirstTrigger = now, WindowStart = now.AddSeconds(-3), EndsAt = now.AddSeconds(2), Closed = true,
            Triggers = ["light-bar on"], Clips = [new IncidentClip("front", id, "udp://127.0.0.1:1")],
        };
        var clip = incident.Clips[0];
        using var idle = GrpcChannel.ForAddress($"http://127.0.0.1:{VaultHost.FreePort()}"); // nothing listens: the upload fails
        var offline = Finisher(staging, gateway, "offline", idle);
        await MakeSegmentsAsync(offline.SegmentDirectory(id));
        var custody = staging.OpenCustody(id);
        custody.Append(now, "captured", gateway.DeviceId, "in-car-video", "camera=front");
        foreach (var file in Directory.GetFiles(offline.SegmentDirectory(id)).Order(StringComparer.Ordinal))
        {
            custody.Append(now, "segment", gateway.DeviceId, "in-car-video", $"file={Path.GetFileName(file)}");
        }

        // What a gateway SIGKILLed between assembly and encryption leaves: ffmpeg's plaintext output, half a sealed copy, the data key.
        await File.WriteAllTextAsync(offline.PlainTempPath(id), "....ftypisom stale plaintext of the killed run", Ct);
        await File.WriteAllTextAsync(staging.DataPath(id) + ".sealing", "half sealed", Ct);
        staging.CipherForCopy(id, fresh: true)!.Dispose();
        var key = await File.ReadAllBytesAsync(staging.KeyPath(id), Ct);

        // 1: assembled and staged encrypted; the vault is not reachable, so the clip stays on the vehicle.
        await Assert.ThrowsAnyAsync<Exception>(() => offline.FinishAsync(incident, clip, Ct).WaitAsync(Patience, Ct));
        var chain = staging.OpenCustody(id).Entries;
        Assert.Single(chain, e => e.Event == "assembled");
        var hashed = Assert.Single(chain, e => e.Event == "hashed");
        var sha = RecordingOffloader.Field(hashed.Details, "sha256");
        var size = long.Parse(RecordingOffloader.Field(hashed.Details, "size"), System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(key, await File.ReadAllBytesAsync(staging.KeyPath(id), Ct)); // the killed run's key, reused
        var staged = await File.ReadAllBytesAsync(staging.DataPath(id), Ct);
        Assert.Equal(StagingCipher.FileLength(size), staged.Length);
        Assert.True(staged.AsSpan().IndexOf("ftyp"u8) < 0, "the staged clip holds an MP4 in the clear");
        Assert.False(File.Exists(offline.PlainTempPath(id)), "ffmpeg's plaintext output was kept");
        Assert.False(File.Exists(staging.DataPath(id) + ".sealing"));
        Assert.False(Directory.Exists(offline.SegmentDirectory(id)), "the plaintext segment copies outlived the encrypted clip");
        var plain = new byte[size];
        using (var reader = staging.OpenReader(id))
        {
            Assert.Equal(size, await reader.ReadAsync(0, plain, Ct));
        }

        Assert.Equal("ftyp", Encoding.ASCII.GetString(plain, 4, 4)); // the plaintext is the MP4 ffmpeg wrote
        Assert.Equal(sha, Convert.ToHexStringLower(SHA256.HashData(plain)));
        Assert.False(EncryptedStagingTests.ContainsPlaintext(staged, plain), "the staged clip holds the footage in the clear");

        // A kill between "assembled" and "hashed" leaves the custody log without its last entry: only the hash is redone.
        var lines = await File.ReadAllLinesAsync(staging.CustodyPath(id), Ct);
        Assert.Contains("\"hashed\"", lines[^1], StringComparison.Ordinal);
        await File.WriteAllLinesAsync(staging.CustodyPath(id), lines[..^1], Ct);

        // 2: the vault is up; the same clip (not assembled again) is uploaded from the encrypted copy and verified.
        await using var vault = await VaultHost.StartAsync(dir.Sub("vault"));
        using var channel = GrpcChannel.ForAddress(vault.Url);
        await Finisher(staging, gateway, vault.Url, channel).FinishAsync(incident, clip, Ct).WaitAsync(Patience, Ct);
        chain = staging.OpenCustody(id).Entries;
        Assert.True(ClipFinisher.IsDone(staging.OpenCustody(id)));
        Assert.Single(chain, e => e.Event == "assembled");
        Assert.Equal($"sha256={sha} size={size}", Assert.Single(chain, e => e.Event == "hashed").Details);
        Assert.Equal($"receipt sha256={sha} size={size} matches the clip", chain[^1].Details);
        Assert.Equal(plain, await File.ReadAllBytesAsync(Assert.Single(Directory.GetFiles(vault.Directory, id + "*.mp4")), Ct));
        Assert.False(File.Exists(staging.DataPath(id)));
        Assert.False(File.Exists(staging.KeyPath(id)));
        var verification = await EvidenceVerifier.VerifyAsync(vault.Directory, id, CustodyTrust.UnsignedOnly, Ct);
        Assert.True(verification.Ok, string.Join("; ", verification.Problems));
    }
}
