using System.Net;
using EdgeGateway.Contracts;
using EdgeGateway.Contracts.V1;
using FleetControl.Tests.Infrastructure;
using Google.Protobuf;
using MQTTnet;

namespace FleetControl.Tests.Ingest;

/// <summary>Device -> embedded broker -> ingest -> LiteDB -> DeliveryAck -> REST, all real.</summary>
public sealed class EmbeddedIngestTests : IAsyncLifetime
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
    public async Task PublishBatch_EmbeddedBroker_AckedAfterStoreAndVisibleInApi()
    {
        await using var device = await TestDevice.ConnectAsync(_mqttPort, "car-1");
        var p1 = TestEnvelopes.Position("car-1", 1, 51.50, -0.12);
        var p2 = TestEnvelopes.Position("car-1", 2, 51.51, -0.13);
        var health = TestEnvelopes.Health("car-1", 3);

        var publish = await device.PublishBatchAsync(p1, p2, health);
        var ack = await device.NextAckAsync();

        Assert.True(publish.IsSuccess);
        Assert.Equal([p1.MessageId, p2.MessageId, health.MessageId], ack.MessageIds);
        Assert.NotNull(ack.StoredAt);

        // The ack is sent only after commit, so the API must already show everything.
        var car = await _fleet.FindDeviceAsync("car-1");
        Assert.NotNull(car);
        var json = car.Value;
        Assert.Equal(2, json.GetProperty("positionCount").GetInt64());
        Assert.Equal(3, json.GetProperty("envelopeCount").GetInt64());
        Assert.Equal(51.51, json.GetProperty("lastPosition").GetProperty("lat").GetDouble());
        Assert.Equal("3D", json.GetProperty("lastPosition").GetProperty("mode").GetString());
        Assert.Equal("1.2.3", json.GetProperty("health").GetProperty("softwareVersion").GetString());
        Assert.Equal("LINK_STATE_CONNECTED", json.GetProperty("health").GetProperty("linkState").GetString());
        Assert.NotEqual(JsonValueKindNull, json.GetProperty("lastSeen").ValueKind);

        var positions = await _fleet.GetJsonAsync("/api/devices/car-1/positions?limit=1");
        Assert.Equal(1, positions.GetArrayLength());
        Assert.Equal(p2.MessageId, positions[0].GetProperty("messageId").GetString());
        Assert.Equal(2UL, positions[0].GetProperty("sequence").GetUInt64());
    }

    private const System.Text.Json.JsonValueKind JsonValueKindNull = System.Text.Json.JsonValueKind.Null;

    [Fact]
    public async Task PublishBatch_Twice_StoredOnceAckedTwice()
    {
        await using var device = await TestDevice.ConnectAsync(_mqttPort, "car-2");
        var p1 = TestEnvelopes.Position("car-2", 1);
        var p2 = TestEnvelopes.Position("car-2", 2);

        await device.PublishBatchAsync(p1, p2);
        var first = await device.NextAckAsync();
        await device.PublishBatchAsync(p1, p2);
        var second = await device.NextAckAsync();

        Assert.Equal(first.MessageIds, second.MessageIds);
        var car = (await _fleet.FindDeviceAsync("car-2"))!.Value;
        Assert.Equal(2, car.GetProperty("positionCount").GetInt64());
        Assert.Equal(2, car.GetProperty("envelopeCount").GetInt64());
        var stats = await _fleet.GetJsonAsync("/api/stats");
        Assert.True(stats.GetProperty("duplicates").GetInt64() >= 2);
        Assert.Equal(2, (await _fleet.GetJsonAsync("/api/devices/car-2/positions")).GetArrayLength());
    }

    [Fact]
    public async Task PublishBatch_EnvelopeForOtherDevice_RejectedNotStoredNotAcked()
    {
        await using var device = await TestDevice.ConnectAsync(_mqttPort, "car-3");
        var good = TestEnvelopes.Position("car-3", 1);
        var foreign = TestEnvelopes.Position("car-99", 2);
        var noBody = TestEnvelopes.Position("car-3", 3);
        noBody.ClearBody();
        var noId = TestEnvelopes.Position("car-3", 4, messageId: string.Empty);

        await device.PublishBatchAsync(good, foreign, noBody, noId);
        var ack = await device.NextAckAsync();

        Assert.Equal([good.MessageId], ack.MessageIds);
        Assert.Equal(3, _fleet.Stats.RejectedEnvelopes);
        Assert.Null(await _fleet.FindDeviceAsync("car-99"));
        Assert.Equal(1, (await _fleet.FindDeviceAsync("car-3"))!.Value.GetProperty("envelopeCount").GetInt64());
    }

    [Fact]
    public async Task PublishGarbage_Counted_ServiceKeepsIngesting()
    {
        await using var device = await TestDevice.ConnectAsync(_mqttPort, "car-4");
        var topic = Topics.ForEnvelope("car-4", PriorityClass.Telemetry, "gnss");

        var garbage = await device.PublishAsync(topic, [0xFF, 0xFF, 0xFF, 0x07, 0x01, 0x02]);
        await device.PublishAsync(Topics.Status("car-4"), [0x0A, 0xFF]);
        var afterwards = TestEnvelopes.Position("car-4", 1);
        await device.PublishBatchAsync(afterwards);
        var ack = await device.NextAckAsync();

        Assert.True(garbage.IsSuccess);
        Assert.Equal([afterwards.MessageId], ack.MessageIds);
        Assert.Equal(2, _fleet.Stats.RejectedPayloads);
        var stats = await _fleet.GetJsonAsync("/api/stats");
        Assert.Equal(2, stats.GetProperty("rejectedPayloads").GetInt64());
    }

    [Fact]
    public async Task PublishUnderOtherDevicesPrefix_RefusedByBroker_NotStored()
    {
        await using var device = await TestDevice.ConnectAsync(_mqttPort, "car-5");
        var forged = TestEnvelopes.Position("car-6", 1);

        var result = await device.PublishAsync(
            Topics.ForEnvelope("car-6", PriorityClass.Telemetry, "gnss"), TestEnvelopes.Batch(forged).ToByteArray());
        var forgedAck = await device.PublishAsync(Topics.Acks("car-6"), new DeliveryAck().ToByteArray());

        Assert.Equal(MqttClientPublishReasonCode.NotAuthorized, result.ReasonCode);
        Assert.Equal(MqttClientPublishReasonCode.NotAuthorized, forgedAck.ReasonCode);

        // A later legitimate batch is acked, so anything forged would have been processed by now.
        var own = TestEnvelopes.Position("car-5", 1);
        await device.PublishBatchAsync(own);
        Assert.Equal([own.MessageId], (await device.NextAckAsync()).MessageIds);
        Assert.Null(await _fleet.FindDeviceAsync("car-6"));
    }

    [Fact]
    public async Task Connect_AsIngestClientWithoutPassword_Refused()
    {
        var ex = await Assert.ThrowsAnyAsync<Exception>(() => TestDevice.ConnectAsync(_mqttPort, "car-7", clientId: "fleetcontrol-ingest"));

        Assert.Contains("NotAuthorized", ex.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Status_RetainedOnlineThenLastWill_OnlineFlips()
    {
        var device = await TestDevice.ConnectAsync(_mqttPort, "car-8", lastWill: true);
        await device.PublishAsync(Topics.Status("car-8"), new DeviceStatus { Online = true, Role = "Vehicle", SoftwareVersion = "9.9.9" }.ToByteArray(), retain: true);

        await Eventually.UntilAsync(async () => (await _fleet.FindDeviceAsync("car-8"))?.GetProperty("online").GetBoolean() == true, "car-8 is online");
        var online = (await _fleet.FindDeviceAsync("car-8"))!.Value;
        Assert.Equal("9.9.9", online.GetProperty("softwareVersion").GetString());

        device.DropConnection();
        await Eventually.UntilAsync(async () => (await _fleet.FindDeviceAsync("car-8"))?.GetProperty("online").GetBoolean() == false, "car-8 is offline (last will)");
        await device.DisposeAsync();
    }

    [Fact]
    public async Task GetDevice_DetailsWithDockDataLossAndEvents()
    {
        await using var device = await TestDevice.ConnectAsync(_mqttPort, "dock-1");
        await device.PublishBatchAsync(TestEnvelopes.Dock("dock-1", 1), TestEnvelopes.DataLoss("dock-1", 2), TestEnvelopes.Event("dock-1", 3));
        await device.NextAckAsync();

        var detail = await _fleet.GetJsonAsync("/api/devices/dock-1");

        Assert.Equal("BWV-0001", detail.GetProperty("dock").GetProperty("bays")[0].GetProperty("cameraSerial").GetString());
        Assert.Equal("expired", detail.GetProperty("dataLoss")[0].GetProperty("reason").GetString());
        Assert.Equal(7UL, detail.GetProperty("dataLoss")[0].GetProperty("count").GetUInt64());
        Assert.Equal("recording_started", detail.GetProperty("events")[0].GetProperty("type").GetString());
        Assert.Equal(JsonValueKindNull, detail.GetProperty("lastPosition").ValueKind);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("10001")]
    [InlineData("-5")]
    public async Task GetPositions_LimitOutOfRange_400(string limit)
    {
        await using var device = await TestDevice.ConnectAsync(_mqttPort, "car-9");
        await device.PublishBatchAsync(TestEnvelopes.Position("car-9", 1));
        await device.NextAckAsync();

        var response = await _fleet.Http.GetAsync($"/api/devices/car-9/positions?limit={limit}", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task GetDevice_Unknown_404()
    {
        var device = await _fleet.Http.GetAsync("/api/devices/nobody", TestContext.Current.CancellationToken);
        var positions = await _fleet.Http.GetAsync("/api/devices/nobody/positions", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.NotFound, device.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, positions.StatusCode);
    }
}
