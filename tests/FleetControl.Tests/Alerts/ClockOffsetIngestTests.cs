using System.Text.Json;
using EdgeGateway.Contracts;
using EdgeGateway.Contracts.V1;
using FleetControl.Tests.Infrastructure;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;

namespace FleetControl.Tests.Alerts;

/// <summary>
/// Clock offsets over real MQTT ingest (embedded broker): a device 5 s fast shows <c>clockSuspect</c> in the device API
/// and the console's fleet table and raises the clock-offset alert; a device with a correct clock draining an
/// hour-old backlog does not.
/// </summary>
public sealed class ClockOffsetIngestTests : IAsyncLifetime
{
    private readonly TempDirectory _data = new();
    private readonly int _mqttPort = FreePort.Next();
    private FleetControlInstance _fleet = null!;

    public async ValueTask InitializeAsync() => _fleet = await FleetControlInstance.StartAsync(
        _data.Path, _mqttPort, "--Alerts:EvaluationInterval=00:00:00.200");

    public async ValueTask DisposeAsync()
    {
        await _fleet.DisposeAsync();
        _data.Dispose();
    }

    [Fact]
    public async Task FastDevice_IsFlaggedAndAlerted_ABacklogWithACorrectClockIsNot()
    {
        await using var fast = await TestDevice.ConnectAsync(_mqttPort, "van-fast");
        await PublishLiveStatusAsync(fast, TimeSpan.FromSeconds(5));
        var health = TestEnvelopes.Health("van-fast", 1);
        health.CapturedAt = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow.AddSeconds(5));
        await fast.PublishBatchAsync(health);
        await fast.NextAckAsync();

        await using var backlog = await TestDevice.ConnectAsync(_mqttPort, "van-backlog");
        await PublishLiveStatusAsync(backlog, TimeSpan.Zero);
        var hourAgo = DateTimeOffset.UtcNow.AddHours(-1);
        for (ulong i = 1; i <= 3; i++)
        {
            var old = TestEnvelopes.Health("van-backlog", i);
            old.CapturedAt = Timestamp.FromDateTimeOffset(hourAgo.AddMinutes(i));
            await backlog.PublishBatchAsync(old);
            await backlog.NextAckAsync();
        }

        var alert = await Eventually.WaitAsync(
            async ct => (await _fleet.GetJsonAsync("/api/alerts?state=active")).EnumerateArray().FirstOrDefault(a => a.GetProperty("rule").GetString() == "clock-offset"),
            a => a.ValueKind == JsonValueKind.Object,
            Eventually.DefaultTimeout,
            "the clock-offset rule raises an alert");
        Assert.Equal("clock-offset:van-fast", alert.GetProperty("alertId").GetString());
        Assert.Contains("fast", alert.GetProperty("message").GetString(), StringComparison.Ordinal);

        var device = (await _fleet.FindDeviceAsync("van-fast"))!.Value;
        Assert.True(device.GetProperty("clockSuspect").GetBoolean());
        var offset = device.GetProperty("clockOffsetSeconds").GetDouble();
        Assert.InRange(offset, 2.0, 5.0); // 5 s minus the delivery time, which only makes messages look older

        var detail = await _fleet.GetJsonAsync("/api/devices/van-backlog");
        Assert.False(detail.GetProperty("clockSuspect").GetBoolean());
        Assert.InRange(detail.GetProperty("clockOffsetSeconds").GetDouble(), -2.0, 0.0);

        var table = await _fleet.GetJsonAsync("/api/fleet-table?limit=10");
        var rows = table.GetProperty("devices").EnumerateArray().ToDictionary(d => d.GetProperty("deviceId").GetString()!, d => d.GetProperty("clockSuspect").GetBoolean());
        Assert.Equal(new Dictionary<string, bool> { ["van-backlog"] = false, ["van-fast"] = true }, rows);
        var active = await _fleet.GetJsonAsync("/api/alerts?state=active");
        Assert.Single(active.EnumerateArray(), a => a.GetProperty("rule").GetString() == "clock-offset");
    }

    private static Task PublishLiveStatusAsync(TestDevice device, TimeSpan clockError) => device.PublishAsync(
        Topics.Status(device.DeviceId),
        new DeviceStatus { Online = true, Role = "Vehicle", SoftwareVersion = "1.0.0", At = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow + clockError) }.ToByteArray(),
        retain: true);
}
