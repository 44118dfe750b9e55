using System.Net;
using FleetControl.Tests.Infrastructure;

namespace FleetControl.Tests.Api;

/// <summary>GET /metrics on a real FleetControl with its embedded broker, after a device published through it.</summary>
public sealed class MetricsApiTests : IAsyncLifetime
{
    private readonly TempDirectory _data = new();
    private readonly int _mqttPort = FreePort.Next();
    private FleetControlInstance _fleet = null!;

    public async ValueTask InitializeAsync() => _fleet = await FleetControlInstance.StartAsync(_data.Path, _mqttPort);

    public async ValueTask DisposeAsync()
    {
        await _fleet.DisposeAsync();
        _data.Dispose();
    }

    [Fact]
    public async Task Metrics_AfterIngest_IngestDeviceAndRuntimeFigures()
    {
        await using var device = await TestDevice.ConnectAsync(_mqttPort, "car-m");
        await device.PublishBatchAsync(TestEnvelopes.Position("car-m", 1), TestEnvelopes.Health("car-m", 2));
        await device.NextAckAsync();

        var text = await _fleet.Http.GetStringAsync("/metrics", TestContext.Current.CancellationToken);

        Assert.Contains("fleetcontrol_ingest_connected 1\n", text, StringComparison.Ordinal);
        Assert.Matches(@"(?m)^fleetcontrol_envelopes_stored_total [1-9]", text);
        Assert.Matches("(?m)^fleetcontrol_device_online\\{device=\"car-m\"\\} [01]$", text);
        Assert.Contains("fleetcontrol_device_health_age_seconds{device=\"car-m\"}", text, StringComparison.Ordinal);
        Assert.Contains("# TYPE process_resident_memory_bytes gauge", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Metrics_WithoutToken_Unauthorized()
    {
        using var anonymous = _fleet.ClientFor(null);

        using var response = await anonymous.GetAsync("/metrics", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }
}
