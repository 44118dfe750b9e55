using System.Net;
using System.Text.Json;
using System.Xml.Linq;
using FleetControl.Tests.Infrastructure;

namespace FleetControl.Tests.Api;

/// <summary>Position window, paging, GeoJSON/GPX export and the OpenAPI document, over real ingest.</summary>
public sealed class PositionsApiTests : IAsyncLifetime
{
    private readonly TempDirectory _data = new();
    private readonly int _mqttPort = FreePort.Next();
    private FleetControlInstance _fleet = null!;

    public async ValueTask InitializeAsync()
    {
        _fleet = await FleetControlInstance.StartAsync(_data.Path, _mqttPort);
        await using var device = await TestDevice.ConnectAsync(_mqttPort, "car-1");
        await device.PublishBatchAsync(
            TestEnvelopes.Position("car-1", 10, 51.50, -0.10),
            TestEnvelopes.Position("car-1", 20, 51.51, -0.11),
            TestEnvelopes.Position("car-1", 30, 51.52, -0.12),
            TestEnvelopes.Position("car-1", 40, 51.53, -0.13));
        await device.NextAckAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await _fleet.DisposeAsync();
        _data.Dispose();
    }

    private static string Iso(int seconds) => TestEnvelopes.BaseTime.AddSeconds(seconds).UtcDateTime.ToString("O");

    [Fact]
    public async Task Window_IsPagedOldestFirst_AndEndsWithoutACursor()
    {
        var first = await _fleet.GetJsonAsync($"/api/devices/car-1/track?from={Iso(15)}&to={Iso(40)}&limit=1");
        Assert.Equal(51.51, first.GetProperty("positions")[0].GetProperty("lat").GetDouble());
        var cursor = first.GetProperty("nextCursor").GetString();
        Assert.NotNull(cursor);

        var second = await _fleet.GetJsonAsync($"/api/devices/car-1/track?from={Iso(15)}&to={Iso(40)}&limit=1&cursor={Uri.EscapeDataString(cursor)}");
        Assert.Equal(51.52, second.GetProperty("positions")[0].GetProperty("lat").GetDouble());
        Assert.Equal(JsonValueKind.Null, second.GetProperty("nextCursor").ValueKind); // 40 s is outside [15, 40)
    }

    [Fact]
    public async Task Exports_GeoJsonAndGpx_CarryEveryFixOfTheWindow()
    {
        var geo = await _fleet.GetJsonAsync($"/api/devices/car-1/track?format=geojson&from={Iso(0)}");
        var features = geo.GetProperty("features").EnumerateArray().ToList();
        Assert.Equal(4, features.Count(f => f.GetProperty("geometry").GetProperty("type").GetString() == "Point"));
        var line = features.Single(f => f.GetProperty("geometry").GetProperty("type").GetString() == "LineString");
        Assert.Equal(-0.10, line.GetProperty("geometry").GetProperty("coordinates")[0][0].GetDouble());

        var gpx = XDocument.Parse(await _fleet.Http.GetStringAsync("/api/devices/car-1/track?format=gpx", TestContext.Current.CancellationToken));
        XNamespace ns = "http://www.topografix.com/GPX/1/1";
        var points = gpx.Descendants(ns + "trkpt").ToList();
        Assert.Equal(4, points.Count);
        Assert.Equal("51.53", points[^1].Attribute("lat")!.Value);
    }

    [Fact]
    public async Task BadWindow_IsAProblem_AndTheOpenApiDocumentListsTheApi()
    {
        var bad = await _fleet.Http.GetAsync($"/api/devices/car-1/track?from={Iso(40)}&to={Iso(10)}", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Equal("application/problem+json", bad.Content.Headers.ContentType?.MediaType);

        var openApi = await _fleet.GetJsonAsync("/openapi/v1.json");
        var paths = openApi.GetProperty("paths");
        Assert.True(paths.TryGetProperty("/api/devices/{id}/commands", out _));
        Assert.True(paths.TryGetProperty("/api/devices/{id}/track", out _));
        Assert.True(paths.TryGetProperty("/api/rollouts", out _));
    }
}
