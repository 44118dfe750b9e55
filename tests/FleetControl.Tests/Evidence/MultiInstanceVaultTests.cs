using EdgeGateway.Contracts.Evidence;
using EdgeGateway.Contracts.V1;
using FleetControl.Evidence;
using FleetControl.Tests.Infrastructure;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;

namespace FleetControl.Tests.Evidence;

/// <summary>
/// Two FleetControl instances sharing one PostgreSQL database and one vault directory behind mosquitto: a
/// body-worn-video upload begun on one instance that is SIGKILLed mid-stream resumes on the other from the stored
/// offset and ends with a verified receipt; every gRPC service is answered the same by either instance.
/// </summary>
public sealed class MultiInstanceVaultTests(PostgreSqlCluster cluster) : IAsyncLifetime
{
    private const int Chunk = 256 * 1024;
    private readonly TempDirectory _dir = new();
    private MosquittoBroker _mosquitto = null!;
    private string _connectionString = string.Empty;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private string Vault => _dir.Sub("shared-vault");

    public async ValueTask InitializeAsync()
    {
        _mosquitto = await MosquittoBroker.StartAsync();
        _connectionString = await cluster.CreateDatabaseAsync("vault");
    }

    public async ValueTask DisposeAsync()
    {
        await _mosquitto.DisposeAsync();
        _dir.Dispose();
    }

    private string[] Shared(string name) =>
    [
        "--Store:Provider=PostgreSql",
        $"--Store:ConnectionString={_connectionString}",
        "--Store:MaxPoolSize=5",
        $"--Evidence:VaultDirectory={Vault}",
        "--Evidence:CheckpointBytes=1048576",
        $"--Diagnostics:Directory={_dir.Sub("shared-diagnostics")}",
        "--Mqtt:Mode=External",
        "--Mqtt:Host=127.0.0.1",
        $"--Mqtt:ClientId=fleet-{name}",
        "--Mqtt:SharedSubscriptionGroup=fleet",
        "--Mqtt:SessionExpiry=00:00:05",
    ];

    [Fact]
    public async Task BwvUpload_InstanceKilledMidStream_ResumedOnOtherInstance_VerifiedReceiptAndEvidenceVerifyPasses()
    {
        var grpcA = FreePort.Next();
        await using var a = await FleetControlProcess.StartAsync(_dir.Sub("a"), _mosquitto.Port, [.. Shared("a"), $"--FleetControl:GrpcPort={grpcA}"]);
        await using var b = await FleetControlInstance.StartAsync(_dir.Sub("b"), _mosquitto.Port, Shared("b"));
        using var onB = new VaultClient(b.GrpcUri.ToString());
        var data = VaultClient.RandomBytes(6 * 1024 * 1024, 21);
        var item = VaultClient.Item("ev-bwv-1", data);

        // The dock streams half the file to A and is still sending when A dies.
        using (var onA = new VaultClient($"http://127.0.0.1:{grpcA}"))
        {
            using var call = onA.Client.Upload(cancellationToken: Ct);
            await call.RequestStream.WriteAsync(new UploadRequest { Header = new UploadHeader { Item = item, Offset = 0 } }, Ct);
            for (var offset = 0; offset < data.Length / 2; offset += Chunk)
            {
                var bytes = data.AsSpan(offset, Chunk).ToArray();
                await call.RequestStream.WriteAsync(new UploadRequest { Chunk = new UploadChunk { Offset = (ulong)offset, Data = ByteString.CopyFrom(bytes), Crc32C = Crc32C.Compute(bytes) } }, Ct);
            }

            // B already sees A's durable progress in the shared vault (checkpoints each MiB).
            await Eventually.UntilAsync(
                async () => (await onB.Client.GetUploadOffsetAsync(new UploadOffsetRequest { EvidenceId = "ev-bwv-1" }, cancellationToken: Ct)).Offset >= 2 * 1024 * 1024,
                "A's checkpoints are visible through B",
                TimeSpan.FromSeconds(60));
            await a.KillAsync();
            await Assert.ThrowsAnyAsync<Exception>(() => call.ResponseAsync.WaitAsync(TimeSpan.FromSeconds(30), Ct));
        }

        // The dock asks the instance the load balancer now gives it where to continue, and finishes there.
        var held = await onB.Client.GetUploadOffsetAsync(new UploadOffsetRequest { EvidenceId = "ev-bwv-1" }, cancellationToken: Ct);
        Assert.False(held.Complete);
        Assert.InRange((long)held.Offset, 2 * 1024 * 1024, data.Length / 2);
        Assert.Equal(0, (long)held.Offset % (1024 * 1024));
        var chain = VaultClient.DockChain("ev-bwv-1", item.Sha256);
        var receipt = await onB.UploadAsync(item, data, chain, from: (long)held.Offset);

        Assert.Equal(item.Sha256, receipt.Sha256);
        Assert.Equal((ulong)data.Length, receipt.Size);
        Assert.Equal(["received", "verified", "stored"], receipt.Custody.Select(c => c.Event));
        Assert.Equal(data, await File.ReadAllBytesAsync(Path.Combine(Vault, "ev-bwv-1.mp4"), Ct));
        Assert.Empty(Directory.GetFiles(Vault, "*.partial*"));
        var catalogued = await b.GetJsonAsync("/api/evidence/ev-bwv-1");
        Assert.Equal(item.Sha256, catalogued.GetProperty("summary").GetProperty("sha256").GetString());

        // The evidence officer's check of the stored item (chains from the development override are unsigned).
        var output = new StringWriter();
        var error = new StringWriter();
        var code = await EvidenceVerifyCommand.RunAsync(["ev-bwv-1", "--vault", Vault, "--accept-unsigned"], output, error, Ct).WaitAsync(Eventually.DefaultTimeout, Ct);
        Assert.True(code == 0, error.ToString());
        Assert.StartsWith($"OK ev-bwv-1: {data.Length} bytes", output.ToString(), StringComparison.Ordinal);
        Assert.Contains("captured > docked > copied > hashed > received > verified > stored", output.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task GrpcCalls_AnsweredTheSameByEitherInstance()
    {
        var instances = await Task.WhenAll(FleetControlInstance.StartAsync(_dir.Sub("a"), _mosquitto.Port, Shared("a")), FleetControlInstance.StartAsync(_dir.Sub("b"), _mosquitto.Port, Shared("b")));
        await using var a = instances[0];
        await using var b = instances[1];
        using var channelA = GrpcChannel.ForAddress(a.GrpcUri);
        using var channelB = GrpcChannel.ForAddress(b.GrpcUri);

        // Registry: a dock registers through A, a vehicle through B; each instance lists both.
        var registeredA = await new DeviceRegistry.DeviceRegistryClient(channelA).RegisterAsync(
            new RegisterRequest { DeviceId = "dock-a", Role = DeviceRole.Dock, SoftwareVersion = "1.0.0", Hostname = "depot-a", Capabilities = { "bwv-dock" } }, cancellationToken: Ct);
        var registeredB = await new DeviceRegistry.DeviceRegistryClient(channelB).RegisterAsync(
            new RegisterRequest { DeviceId = "car-b", Role = DeviceRole.Vehicle, SoftwareVersion = "1.0.0", Hostname = "car-b" }, cancellationToken: Ct);
        Assert.True(registeredA.Accepted && registeredB.Accepted);
        foreach (var fleet in new[] { a, b })
        {
            Assert.Equal("depot-a", (await fleet.GetJsonAsync("/api/devices/dock-a")).GetProperty("hostname").GetString());
            Assert.Equal("car-b", (await fleet.GetJsonAsync("/api/devices/car-b")).GetProperty("hostname").GetString());
        }

        // Evidence: stored through A; B reports it complete with the same receipt, answers a repeated upload with
        // that receipt, and continues its custody chain.
        using var vaultA = new VaultClient(a.GrpcUri.ToString());
        using var vaultB = new VaultClient(b.GrpcUri.ToString());
        var data = VaultClient.RandomBytes(500_000, 22);
        var item = VaultClient.Item("ev-either", data);
        var chain = VaultClient.DockChain("ev-either", item.Sha256);
        var receipt = await vaultA.UploadAsync(item, data, chain);
        var offset = await vaultB.Client.GetUploadOffsetAsync(new UploadOffsetRequest { EvidenceId = "ev-either" }, cancellationToken: Ct);
        Assert.True(offset.Complete);
        Assert.Equal(receipt, offset.Receipt);
        Assert.Equal(receipt, await vaultB.UploadAsync(item, data, chain));
        chain.AddRange(receipt.Custody.Select(CustodyLink.FromProto));
        chain.Add(VaultClient.Next("ev-either", chain, "uploaded"));
        var append = new AppendCustodyRequest { EvidenceId = "ev-either" };
        append.Entries.AddRange(chain.Skip(7).Select(c => c.ToProto()));
        Assert.Equal(8UL, (await vaultB.Client.AppendCustodyAsync(append, cancellationToken: Ct)).Length);
        Assert.Equal(8UL, (await vaultA.Client.AppendCustodyAsync(append, cancellationToken: Ct)).Length); // idempotent on A too
        foreach (var fleet in new[] { a, b })
        {
            Assert.Equal(["ev-either"], (await fleet.GetJsonAsync("/api/evidence")).GetProperty("items").EnumerateArray().Select(e => e.GetProperty("evidenceId").GetString()));
        }

        // Diagnostics: a bundle uploaded through A is listed and served by B (bundles in the shared directory).
        var bundle = VaultClient.RandomBytes(40_000, 23);
        var diagnostics = new EdgeGateway.Contracts.V1.Diagnostics.DiagnosticsClient(channelA);
        using (var upload = diagnostics.UploadBundle(cancellationToken: Ct))
        {
            var header = new DiagnosticsBundleHeader
            {
                DeviceId = "car-b",
                CommandId = "bundle-1",
                Format = "zip",
                Size = (ulong)bundle.Length,
                Sha256 = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bundle)),
            };
            await upload.RequestStream.WriteAsync(new DiagnosticsUploadRequest { Header = header }, Ct);
            await upload.RequestStream.WriteAsync(new DiagnosticsUploadRequest { Data = ByteString.CopyFrom(bundle) }, Ct);
            await upload.RequestStream.CompleteAsync();
            await upload.ResponseAsync.WaitAsync(Eventually.DefaultTimeout, Ct);
        }

        var listed = await b.GetJsonAsync("/api/devices/car-b/diagnostics");
        Assert.Equal(["bundle-1"], listed.EnumerateArray().Select(x => x.GetProperty("bundleId").GetString()));
    }
}
