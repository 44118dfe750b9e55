using FleetControl.Ingest;
using FleetControl.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using MQTTnet;

namespace FleetControl.Tests.Ingest;

/// <summary>Mqtt:Mode=External against a real mosquitto: the same ingest path, and a persistent session.</summary>
public sealed class ExternalBrokerTests : IAsyncLifetime
{
    private readonly TempDirectory _dir = new();
    private MosquittoBroker _mosquitto = null!;

    public async ValueTask InitializeAsync() => _mosquitto = await MosquittoBroker.StartAsync();

    public async ValueTask DisposeAsync()
    {
        await _mosquitto.DisposeAsync();
        _dir.Dispose();
    }

    private Task<FleetControlInstance> StartFleetAsync(params string[] extraArgs) =>
        FleetControlInstance.StartAsync(
            Path.Combine(_dir.Path, "fleet"), _mosquitto.Port, ["--Mqtt:Mode=External", "--Mqtt:Host=127.0.0.1", "--Mqtt:ClientId=fleet-test-ingest", .. extraArgs]);

    [Fact]
    public async Task PublishBatch_SharedSubscriptionGroup_IngestedThroughShare()
    {
        await using var fleet = await StartFleetAsync("--Mqtt:SharedSubscriptionGroup=fleet-a");
        await using var device = await TestDevice.ConnectAsync(_mosquitto.Port, "car-32");
        var p1 = TestEnvelopes.Position("car-32", 1);

        await device.PublishBatchAsync(p1);
        var ack = await device.NextAckAsync();

        Assert.Equal([p1.MessageId], ack.MessageIds);
        Assert.Equal(1, (await fleet.FindDeviceAsync("car-32"))!.Value.GetProperty("envelopeCount").GetInt64());
    }

    [Fact]
    public async Task PublishBatch_ExternalMosquitto_AckedAndStored()
    {
        await using var fleet = await StartFleetAsync();
        await using var device = await TestDevice.ConnectAsync(_mosquitto.Port, "car-30");
        var p1 = TestEnvelopes.Position("car-30", 1);

        await device.PublishBatchAsync(p1);
        var ack = await device.NextAckAsync();

        Assert.Equal([p1.MessageId], ack.MessageIds);
        Assert.Equal(1, (await fleet.FindDeviceAsync("car-30"))!.Value.GetProperty("positionCount").GetInt64());
    }

    [Fact]
    public async Task PublishWhileFleetControlDown_PersistentSession_DeliveredWhenItReturns()
    {
        await using (await StartFleetAsync())
        {
            // The first run creates the persistent session in mosquitto.
        }

        await using var device = await TestDevice.ConnectAsync(_mosquitto.Port, "car-31");
        var whileDown = TestEnvelopes.Position("car-31", 1);
        var publish = await device.PublishBatchAsync(whileDown);
        Assert.True(publish.IsSuccess);
        Assert.False(device.TryGetAck(out _));

        await using var fleet = await StartFleetAsync();
        var ack = await device.NextAckAsync();

        Assert.Equal([whileDown.MessageId], ack.MessageIds);
        var positions = await fleet.GetJsonAsync("/api/devices/car-31/positions");
        Assert.Equal(whileDown.MessageId, Assert.Single(positions.EnumerateArray()).GetProperty("messageId").GetString());
    }

    [Fact]
    public async Task EventsSession_TurnedOnOverASingleSession_EachEventStoredOnceAndNoneLost()
    {
        await using (await StartFleetAsync("--Mqtt:EventsSession=false"))
        {
            // An earlier configuration's single persistent session, subscribed to events/# as well.
        }

        await using var device = await TestDevice.ConnectAsync(_mosquitto.Port, "car-33");
        var whileDown = TestEnvelopes.Event("car-33", 1);
        Assert.True((await device.PublishBatchAsync(whileDown)).IsSuccess); // queued in that session

        await using var fleet = await StartFleetAsync();
        Assert.Equal([whileDown.MessageId], (await device.NextAckAsync()).MessageIds);
        for (ulong sequence = 2; sequence <= 4; sequence++)
        {
            var live = TestEnvelopes.Event("car-33", sequence);
            await device.PublishBatchAsync(live);
            Assert.Equal([live.MessageId], (await device.NextAckAsync()).MessageIds);
        }

        // Published after the events on the main session: once it is acknowledged, a copy of an event that the main
        // session still received (had it kept events/#) has been committed before it, as a duplicate.
        var position = TestEnvelopes.Position("car-33", 5);
        await device.PublishBatchAsync(position);
        Assert.Equal([position.MessageId], (await device.NextAckAsync()).MessageIds);

        var stats = await fleet.GetJsonAsync("/api/stats");
        TestContext.Current.TestOutputHelper!.WriteLine(stats.ToString());
        Assert.Equal(5, stats.GetProperty("envelopesStoredSinceStart").GetInt64());
        Assert.Equal(0, stats.GetProperty("duplicates").GetInt64());
        Assert.True(stats.GetProperty("ingestConnected").GetBoolean());
    }

    [Fact]
    public async Task EventsSession_TurnedOff_WhatTheOldEventsSessionHeldIsStored_ThenTheBrokerNoLongerKeepsIt()
    {
        await using (await StartFleetAsync())
        {
            // The default configuration: two persistent sessions, the events one alone subscribed to events/#.
        }

        await using var device = await TestDevice.ConnectAsync(_mosquitto.Port, "car-34");
        var whileDown = TestEnvelopes.Event("car-34", 1);
        Assert.True((await device.PublishBatchAsync(whileDown)).IsSuccess); // queued in the events session only

        await using (var fleet = await StartFleetAsync("--Mqtt:EventsSession=false"))
        {
            Assert.Equal([whileDown.MessageId], (await device.NextAckAsync()).MessageIds); // taken from the retiring session
            Assert.True(await fleet.Services.GetRequiredService<MqttIngestClient>().Retired.WaitAsync(Eventually.DefaultTimeout, TestContext.Current.CancellationToken));

            var live = TestEnvelopes.Event("car-34", 2);
            await device.PublishBatchAsync(live);
            Assert.Equal([live.MessageId], (await device.NextAckAsync()).MessageIds); // on the one session now
            Assert.Equal(2, (await fleet.GetJsonAsync("/api/stats")).GetProperty("envelopesStoredSinceStart").GetInt64());
        }

        // The broker kept no session for the retired client id: nothing is queued for a reader that never comes.
        using var probe = new MqttClientFactory().CreateMqttClient();
        var connect = await probe.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", _mosquitto.Port)
            .WithClientId("fleet-test-ingest-events").WithProtocolVersion(MQTTnet.Formatter.MqttProtocolVersion.V500)
            .WithCleanStart(false).WithSessionExpiryInterval(0).Build(), TestContext.Current.CancellationToken);
        Assert.False(connect.IsSessionPresent);
    }
}
