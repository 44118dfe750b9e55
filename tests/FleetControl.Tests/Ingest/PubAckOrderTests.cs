using FleetControl.Ingest;

namespace FleetControl.Tests.Ingest;

/// <summary>PUBACKs go out in each MQTT connection's arrival order, and one connection never waits for another's.</summary>
public sealed class PubAckOrderTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Committed_OutOfArrivalOrder_PubAckedInArrivalOrderPerConnection()
    {
        var order = new PubAckOrder(capacity: 16);
        var sent = new List<string>();
        Task PubAck(IngestBatch batch, CancellationToken _)
        {
            sent.Add(batch.DeviceId);
            return Task.CompletedTask;
        }

        var a1 = await order.AddAsync(Batch("a1", "main"), Ct);
        var b1 = await order.AddAsync(Batch("b1", "events"), Ct);
        var a2 = await order.AddAsync(Batch("a2", "main"), Ct);
        var b2 = await order.AddAsync(Batch("b2", "events"), Ct);

        await order.CommittedAsync([a2, b1], PubAck, Ct);
        Assert.Equal(["b1"], sent); // a2 waits for a1, on its own connection only

        await order.CommittedAsync([b2], PubAck, Ct);
        Assert.Equal(["b1", "b2"], sent);

        await order.CommittedAsync([a1], PubAck, Ct);
        Assert.Equal(["b1", "b2", "a1", "a2"], sent);
        Assert.Equal(0, order.Count);
    }

    private static IngestBatch Batch(string name, string connection) => new(name, [], null, connection);
}
