using System.IO.Compression;
using System.Security.Cryptography;
using System.Text.Json;
using EdgeGateway.Commands;
using EdgeGateway.Contracts.V1;
using EdgeGateway.Hosting;
using EdgeGateway.Security;
using FleetControl.Tests.Infrastructure;
using FleetCtl;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace FleetControl.Tests.Diagnostics;

/// <summary>
/// Diagnostics bundles: the gateway's real collect-diagnostics handler uploads its zip over gRPC to a real
/// FleetControl, which stores it under {DataDirectory}/diagnostics/{device}/{id}.zip with its SHA-256 and
/// serves it through REST and fleetctl; too large or damaged bundles are refused with a reason.
/// </summary>
public sealed class DiagnosticsTests : IAsyncDisposable
{
    private const string Device = "car-diag";
    private readonly TempDirectory _data = new();
    private FleetControlInstance? _fleet;
    private IHost? _gateway;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask DisposeAsync()
    {
        _gateway?.Dispose();
        if (_fleet is not null)
        {
            await _fleet.DisposeAsync();
        }

        _data.Dispose();
    }

    /// <summary>FleetControl with <paramref name="args"/>, the device registered, and the gateway's host (built, not started) pointed at it.</summary>
    private async Task<CommandDispatcher> StartAsync(params string[] args)
    {
        _fleet = await FleetControlInstance.StartAsync(_data.Sub("fleet"), FreePort.Next(), args);
        using (var channel = GrpcChannel.ForAddress(_fleet.GrpcUri))
        {
            var registered = await new DeviceRegistry.DeviceRegistryClient(channel)
                .RegisterAsync(new RegisterRequest { DeviceId = Device, Role = DeviceRole.Vehicle }, cancellationToken: Ct).ResponseAsync.WaitAsync(Eventually.DefaultTimeout, Ct);
            Assert.True(registered.Accepted);
        }

        _gateway = GatewayHost.CreateBuilder([$"--Gateway:DeviceId={Device}", $"--Gateway:DataDirectory={_data.Sub("gateway")}",
            $"--Gateway:FleetControlUrl={_fleet.GrpcUri}", "--Security:DevelopmentPlaintext=true", "--Mqtt:Password=s3cret"]).Build();
        return _gateway.Services.GetRequiredService<CommandDispatcher>();
    }

    private static Command Collect(string id, uint lines = 50) => new()
    {
        CommandId = id,
        DeviceId = Device,
        CollectDiagnostics = new CollectDiagnosticsCommand { MaxLogLines = lines },
    };

    private async Task<(int Code, string Out, string Err)> FleetCtlAsync(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var code = await FleetCtlApp.RunAsync([.. args, "--url", _fleet!.RestUri.ToString(), .. _fleet.TokenFileArguments(FleetControl.Auth.Roles.Administrator, _data.Path)],
            stdout, stderr, cancellationToken: Ct).WaitAsync(Eventually.DefaultTimeout, Ct);
        return (code, stdout.ToString(), stderr.ToString());
    }

    [Fact]
    public async Task CollectDiagnostics_GatewayUploadsTheZip_StoredWithItsSha256_RestAndFleetctlServeIt()
    {
        var dispatcher = await StartAsync();

        var result = await dispatcher.HandleAsync(Collect("diag-1"), Ct).WaitAsync(Eventually.DefaultTimeout, Ct);

        Assert.True(result.Outcome == CommandOutcome.Succeeded, result.Reason);
        Assert.Equal("diag-1", result.Details["bundleId"]);
        Assert.False(result.Details.ContainsKey("bundle"), "the bundle travels over gRPC, not in the result");
        var stored = Path.Combine(_data.Sub("fleet"), "diagnostics", Device, "diag-1.zip");
        var bytes = await File.ReadAllBytesAsync(stored, Ct);
        Assert.Equal(result.Details["sha256"], Convert.ToHexStringLower(SHA256.HashData(bytes)));
        Assert.Equal(result.Details["size"], bytes.Length.ToString(System.Globalization.CultureInfo.InvariantCulture));
        using (var zip = new ZipArchive(new MemoryStream(bytes)))
        {
            Assert.Equal(["configuration.json", "health.json", "logs.txt", "manifest.json"], zip.Entries.Select(e => e.FullName).Order(StringComparer.Ordinal));
            using var configuration = JsonDocument.Parse(zip.GetEntry("configuration.json")!.Open());
            Assert.Equal("(redacted)", configuration.RootElement.GetProperty("Mqtt:Password").GetString());
            using var manifest = JsonDocument.Parse(zip.GetEntry("manifest.json")!.Open());
            Assert.Equal(Device, manifest.RootElement.GetProperty("deviceId").GetString());
        }

        // REST: listed with its hash, downloaded byte for byte with the hash in a header.
        var list = await _fleet!.GetJsonAsync($"/api/devices/{Device}/diagnostics");
        var listed = Assert.Single(list.EnumerateArray());
        Assert.Equal("diag-1", listed.GetProperty("bundleId").GetString());
        Assert.Equal(result.Details["sha256"], listed.GetProperty("sha256").GetString());
        using var response = await _fleet.Http.GetAsync(listed.GetProperty("download").GetString(), Ct);
        response.EnsureSuccessStatusCode();
        Assert.Equal("application/zip", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(result.Details["sha256"], Assert.Single(response.Headers.GetValues("X-Content-SHA256")));
        Assert.Equal(bytes, await response.Content.ReadAsByteArrayAsync(Ct));
        using var missing = await _fleet.Http.GetAsync($"/api/devices/{Device}/diagnostics/nope", Ct);
        Assert.Equal(System.Net.HttpStatusCode.NotFound, missing.StatusCode);

        // fleetctl: list and get (verified against FleetControl's hash).
        var listing = await FleetCtlAsync("diagnostics", "list", Device);
        Assert.Equal(0, listing.Code);
        Assert.Contains("diag-1", listing.Out, StringComparison.Ordinal);
        var saved = Path.Combine(_data.Path, "saved.zip");
        var get = await FleetCtlAsync("diagnostics", "get", Device, "diag-1", "--output", saved);
        Assert.True(get.Code == 0, get.Err + get.Out);
        Assert.Contains("verified: true", get.Out, StringComparison.Ordinal);
        Assert.Equal(bytes, await File.ReadAllBytesAsync(saved, Ct));
        Assert.Equal(3, (await FleetCtlAsync("diagnostics", "get", Device, "nope", "--output", saved)).Code);
    }

    [Fact]
    public async Task CollectDiagnostics_BundleOverTheLimit_FailsNamingTheLimit_AndADamagedUploadIsRefused_NothingStored()
    {
        var dispatcher = await StartAsync("--Diagnostics:MaxBundleBytes=1024");

        var result = await dispatcher.HandleAsync(Collect("diag-big", 2000), Ct).WaitAsync(Eventually.DefaultTimeout, Ct);

        Assert.Equal(CommandOutcome.Failed, result.Outcome);
        Assert.Contains("ResourceExhausted", result.Reason, StringComparison.Ordinal);
        Assert.Contains("larger than FleetControl accepts (Diagnostics:MaxBundleBytes = 1024)", result.Reason, StringComparison.Ordinal);

        // Bytes that do not hash to what the header declares are refused.
        using var uploader = new GrpcDiagnosticsUploader(
            Options.Create(new GatewayOptions { DeviceId = Device, FleetControlUrl = _fleet!.GrpcUri.ToString() }),
            GatewayIdentity.DevelopmentPlaintext(Device), TimeProvider.System);
        var damaged = new DiagnosticsBundleHeader { DeviceId = Device, CommandId = "diag-bad", Format = "zip", Size = 3, Sha256 = new string('0', 64) };
        var refused = await Assert.ThrowsAsync<RpcException>(() => uploader.UploadAsync(damaged, new byte[] { 1, 2, 3 }, Ct).WaitAsync(Eventually.DefaultTimeout, Ct));
        Assert.Equal(StatusCode.DataLoss, refused.StatusCode);

        Assert.Equal(0, (await _fleet.GetJsonAsync($"/api/devices/{Device}/diagnostics")).GetArrayLength());
        var folder = Path.Combine(_data.Sub("fleet"), "diagnostics", Device);
        Assert.Empty(Directory.Exists(folder) ? Directory.GetFiles(folder) : []);
    }
}
