using FleetControl.Tests.Infrastructure;

namespace FleetControl.Tests.Ingest;

public sealed class RestartTests
{
    [Fact]
    public async Task Restart_SameDataDirectory_DataStillThereAndDedupeHolds()
    {
        using var data = new TempDirectory();
        var port = FreePort.Next();
        var p1 = TestEnvelopes.Position("car-20", 1);

        await using (var fleet = await FleetControlInstance.StartAsync(data.Path, port))
        {
            await using var device = await TestDevice.ConnectAsync(port, "car-20");
            await device.PublishBatchAsync(p1);
            await device.NextAckAsync();
        }

        await using var restarted = await FleetControlInstance.StartAsync(data.Path, port);
        await using var again = await TestDevice.ConnectAsync(port, "car-20");
        var positions = await restarted.GetJsonAsync("/api/devices/car-20/positions");
        await again.PublishBatchAsync(p1);
        var ack = await again.NextAckAsync();

        Assert.Equal(p1.MessageId, Assert.Single(positions.EnumerateArray()).GetProperty("messageId").GetString());
        Assert.Equal([p1.MessageId], ack.MessageIds);
        Assert.Equal(1, (await restarted.GetJsonAsync("/api/stats")).GetProperty("envelopesStored").GetInt64());
        Assert.Equal(1, restarted.Stats.Duplicates);
    }
}
