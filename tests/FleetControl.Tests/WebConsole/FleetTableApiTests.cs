using System.Net;
using EdgeGateway.Contracts.V1;
using FleetControl.Store;
using FleetControl.Tests.Infrastructure;
using Google.Protobuf.WellKnownTypes;
using Microsoft.Extensions.DependencyInjection;

namespace FleetControl.Tests.WebConsole;

/// <summary>The console's fleet table is filtered and paged on the server: a page of rows, never the whole fleet.</summary>
public sealed class FleetTableApiTests : IAsyncLifetime
{
    private readonly TempDirectory _data = new();
    private FleetControlInstance _fleet = null!;

    public async ValueTask InitializeAsync()
    {
        _fleet = await FleetControlInstance.StartAsync(_data.Path, FreePort.Next());
        var store = _fleet.Services.GetRequiredService<IFleetStore>();
        var at = TestEnvelopes.BaseTime;
        for (var i = 0; i < 250; i++)
        {
            var id = $"{(i % 5 == 0 ? "dock" : "car")}-{i:D3}";
            var role = i % 5 == 0 ? "Dock" : "Vehicle";
            await store.RegisterDeviceAsync(new DeviceRegistration(id, role, "1.0.0", "h", [], at), TestContext.Current.CancellationToken);
            await store.UpdateStatusAsync(id, new DeviceStatus { Online = i % 2 == 0, Role = role, At = Timestamp.FromDateTimeOffset(at) }, at, TestContext.Current.CancellationToken);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _fleet.DisposeAsync();
        _data.Dispose();
    }

    [Fact]
    public async Task FleetTable_PagesFiltersAndCounts_OnTheServer_OrderedById()
    {
        var first = await _fleet.GetJsonAsync("/api/fleet-table?limit=100");
        Assert.Equal(250, first.GetProperty("total").GetInt32());
        Assert.Equal(250, first.GetProperty("matched").GetInt32());
        var ids = first.GetProperty("devices").EnumerateArray().Select(d => d.GetProperty("deviceId").GetString()!).ToList();
        Assert.Equal(100, ids.Count);
        Assert.Equal(ids.Order(StringComparer.Ordinal), ids);
        Assert.Equal("car-001", ids[0]);

        var last = await _fleet.GetJsonAsync("/api/fleet-table?offset=200&limit=100");
        Assert.Equal(50, last.GetProperty("devices").GetArrayLength());
        Assert.Equal("dock-245", last.GetProperty("devices")[49].GetProperty("deviceId").GetString());

        // Role (case-insensitive) and online: docks are every fifth device, online every second one.
        var docks = await _fleet.GetJsonAsync("/api/fleet-table?filter=dOcK&online=true&limit=10");
        Assert.Equal(25, docks.GetProperty("matched").GetInt32());
        Assert.Equal(10, docks.GetProperty("devices").GetArrayLength());
        Assert.All(docks.GetProperty("devices").EnumerateArray(), d =>
        {
            Assert.Equal("Dock", d.GetProperty("role").GetString());
            Assert.True(d.GetProperty("online").GetBoolean());
        });
        Assert.Equal(125, (await _fleet.GetJsonAsync("/api/fleet-table?online=false")).GetProperty("matched").GetInt32());
        Assert.Equal(1, (await _fleet.GetJsonAsync("/api/fleet-table?filter=car-137")).GetProperty("matched").GetInt32());

        foreach (var bad in new[] { "limit=0", "limit=1001", "offset=-1", "online=maybe" })
        {
            using var response = await _fleet.Http.GetAsync("/api/fleet-table?" + bad, TestContext.Current.CancellationToken);
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        }

        using var anonymous = await _fleet.ClientFor(null).GetAsync("/api/fleet-table", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
    }
}
