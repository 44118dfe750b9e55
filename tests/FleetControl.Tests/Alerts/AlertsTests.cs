using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using EdgeGateway.Contracts;
using EdgeGateway.Contracts.V1;
using FleetControl.Tests.Infrastructure;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;

namespace FleetControl.Tests.Alerts;

/// <summary>Alert rules over real ingest, the live SSE feed and acknowledgement.</summary>
public sealed class AlertsTests : IAsyncLifetime
{
    private readonly TempDirectory _data = new();
    private readonly int _mqttPort = FreePort.Next();
    private FleetControlInstance _fleet = null!;

    public async ValueTask InitializeAsync() => _fleet = await FleetControlInstance.StartAsync(
        _data.Path, _mqttPort, "--Alerts:OfflineAfter=00:30:00", "--Alerts:EvaluationInterval=00:00:00.200");

    public async ValueTask DisposeAsync()
    {
        await _fleet.DisposeAsync();
        _data.Dispose();
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task EmergencyMessage_ArrivesOnTheLiveFeed_OnceEvenIfRedelivered()
    {
        using var stream = await _fleet.Http.GetStreamAsync("/api/alerts/stream", Ct);
        using var reader = new StreamReader(stream);
        Assert.Equal(": connected", await reader.ReadLineAsync(Ct).AsTask().WaitAsync(Eventually.DefaultTimeout, Ct));

        await using var device = await TestDevice.ConnectAsync(_mqttPort, "car-9");
        var emergency = TestEnvelopes.Event("car-9", 1, "emergency_button");
        emergency.Priority = PriorityClass.Emergency;
        var topic = Topics.ForEnvelope("car-9", PriorityClass.Emergency, "events");
        await device.PublishAsync(topic, TestEnvelopes.Batch(emergency).ToByteArray());
        await device.NextAckAsync();
        await device.PublishAsync(topic, TestEnvelopes.Batch(emergency).ToByteArray()); // redelivery
        await device.NextAckAsync();

        var alert = await ReadAlertAsync(reader);
        Assert.Equal("emergency", alert.GetProperty("rule").GetString());
        Assert.Equal("critical", alert.GetProperty("severity").GetString());
        Assert.Contains("emergency_button", alert.GetProperty("message").GetString(), StringComparison.Ordinal);
        var all = await _fleet.GetJsonAsync("/api/alerts?state=active");
        Assert.Single(all.EnumerateArray(), a => a.GetProperty("rule").GetString() == "emergency");
    }

    [Fact]
    public async Task OfflineDevice_RaisesAnAlert_ThatAnEngineerAcknowledges()
    {
        await using (var device = await TestDevice.ConnectAsync(_mqttPort, "van-7"))
        {
            await device.PublishAsync(
                Topics.Status("van-7"),
                new DeviceStatus { Online = false, Role = "Vehicle", At = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow.AddHours(-2)) }.ToByteArray(),
                retain: true);
        }

        var alert = await Eventually.WaitAsync(
            async ct => (await _fleet.GetJsonAsync("/api/alerts?state=active")).EnumerateArray().FirstOrDefault(a => a.GetProperty("alertId").GetString() == "offline:van-7"),
            a => a.ValueKind == JsonValueKind.Object,
            Eventually.DefaultTimeout,
            "the offline rule raises an alert");
        Assert.Equal("major", alert.GetProperty("severity").GetString());

        var ack = await _fleet.Http.PostAsJsonAsync("/api/alerts/offline:van-7/ack", new { user = "someone-else" }, Ct);
        Assert.Equal(HttpStatusCode.OK, ack.StatusCode);
        var acked = await _fleet.GetJsonAsync("/api/alerts/offline:van-7");
        Assert.Equal(TestAccounts.Administrator, acked.GetProperty("acknowledgedBy").GetString()); // the signed-in account, not the body
        Assert.Equal<string>(["raised", "acknowledged"], acked.GetProperty("history").EnumerateArray().Select(h => h.GetProperty("what").GetString()!).ToList());

        var unknown = await _fleet.Http.PostAsJsonAsync("/api/alerts/nope/ack", new { user = "engineer-1" }, Ct);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
    }

    private static async Task<JsonElement> ReadAlertAsync(StreamReader reader)
    {
        while (true)
        {
            var line = await reader.ReadLineAsync(Ct).AsTask().WaitAsync(Eventually.DefaultTimeout, Ct);
            if (line is null)
            {
                throw new InvalidOperationException("the alert stream ended");
            }

            if (line.StartsWith("data: ", StringComparison.Ordinal))
            {
                return JsonDocument.Parse(line["data: ".Length..]).RootElement.Clone();
            }
        }
    }
}
