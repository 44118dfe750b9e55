using System.Net;
using System.Text.Json;
using FleetControl.Tests.Infrastructure;
using Grpc.Health.V1;
using Grpc.Net.Client;

namespace FleetControl.Tests.Hosting;

/// <summary>Liveness (/healthz), readiness (/readyz) and the standard gRPC health service on a real FleetControl.</summary>
public sealed class HealthCheckTests
{
    [Fact]
    public async Task Readyz_AllDependenciesUp_ReadyAndGrpcServing()
    {
        using var data = new TempDirectory();
        await using var fleet = await FleetControlInstance.StartAsync(data.Path, FreePort.Next(), $"--Evidence:VaultDirectory={data.Sub("vault")}");
        using var anonymous = fleet.ClientFor(null);
        var ct = TestContext.Current.CancellationToken;

        var (liveStatus, live) = await GetAsync(anonymous, "/healthz");
        var (readyStatus, ready) = await GetAsync(anonymous, "/readyz");

        Assert.Equal(HttpStatusCode.OK, liveStatus);
        Assert.Equal("Healthy", live.GetProperty("status").GetString());
        Assert.Equal(HttpStatusCode.OK, readyStatus);
        Assert.Equal(["broker", "store", "vault"], Checks(ready).Keys.Order(StringComparer.Ordinal));
        Assert.All(Checks(ready).Values, s => Assert.Equal("Healthy", s));

        using var channel = GrpcChannel.ForAddress(fleet.GrpcUri);
        var health = new Grpc.Health.V1.Health.HealthClient(channel);
        foreach (var service in new[] { "", "fleetcontrol" })
        {
            var reply = await health.CheckAsync(new HealthCheckRequest { Service = service }, cancellationToken: ct).ResponseAsync.WaitAsync(Eventually.DefaultTimeout, ct);
            Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, reply.Status);
        }
    }

    [Fact]
    public async Task Readyz_StoreDiskFull_UnreadyNamingTheStoreThenReadyAgain()
    {
        using var data = new TempDirectory();
        using var disk = SmallFileSystem.Mount(64L * 1024 * 1024);
        await using var fleet = await FleetControlInstance.StartAsync(disk.Path, FreePort.Next(), $"--Evidence:VaultDirectory={data.Sub("vault")}");
        using var anonymous = fleet.ClientFor(null);
        using var channel = GrpcChannel.ForAddress(fleet.GrpcUri);
        var health = new Grpc.Health.V1.Health.HealthClient(channel);
        var ct = TestContext.Current.CancellationToken;
        Assert.Equal(HttpStatusCode.OK, (await GetAsync(anonymous, "/readyz")).Status);

        disk.Fill(); // another program fills the data directory's disk: the store takes no more writes
        try
        {
            var (status, ready) = await GetAsync(anonymous, "/readyz");
            var grpc = await health.CheckAsync(new HealthCheckRequest(), cancellationToken: ct).ResponseAsync.WaitAsync(Eventually.DefaultTimeout, ct);
            var (liveStatus, _) = await GetAsync(anonymous, "/healthz");

            Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
            Assert.Equal("Unhealthy", Checks(ready)["store"]);
            Assert.Equal("Healthy", Checks(ready)["broker"]);
            Assert.Contains("FleetControl:DataDirectory", Description(ready, "store"), StringComparison.Ordinal);
            Assert.Equal(HealthCheckResponse.Types.ServingStatus.NotServing, grpc.Status);
            Assert.Equal(HttpStatusCode.OK, liveStatus); // alive: restarting it would not make the disk writable
        }
        finally
        {
            disk.Free();
        }

        Assert.Equal(HttpStatusCode.OK, (await GetAsync(anonymous, "/readyz")).Status);
    }

    [Fact]
    public async Task Readyz_VaultBelowMinimumFreeSpace_UnreadyNamingTheSetting()
    {
        using var data = new TempDirectory();
        await using var fleet = await FleetControlInstance.StartAsync(
            data.Path, FreePort.Next(), $"--Evidence:VaultDirectory={data.Sub("vault")}", $"--Health:VaultMinFreeBytes={long.MaxValue}");
        using var anonymous = fleet.ClientFor(null);

        var (status, ready) = await GetAsync(anonymous, "/readyz");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        Assert.Equal("Unhealthy", Checks(ready)["vault"]);
        Assert.Contains("Health:VaultMinFreeBytes", Description(ready, "vault"), StringComparison.Ordinal);
    }

    private static async Task<(HttpStatusCode Status, JsonElement Body)> GetAsync(HttpClient client, string path)
    {
        var ct = TestContext.Current.CancellationToken;
        using var response = await client.GetAsync(path, ct).WaitAsync(Eventually.DefaultTimeout, ct);
        var body = JsonSerializer.Deserialize<JsonElement>(await response.Content.ReadAsStringAsync(ct));
        return (response.StatusCode, body);
    }

    private static Dictionary<string, string> Checks(JsonElement report) =>
        report.GetProperty("checks").EnumerateArray().ToDictionary(c => c.GetProperty("name").GetString()!, c => c.GetProperty("status").GetString()!);

    private static string Description(JsonElement report, string name) =>
        report.GetProperty("checks").EnumerateArray().Single(c => c.GetProperty("name").GetString() == name).GetProperty("description").GetString()!;
}
