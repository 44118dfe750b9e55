using EdgeGateway.Outbox.Policy;
using EdgeGateway.Contracts.V1;
using EdgeGateway.Uplink.Drain;
using EdgeGateway.Uplink.Mqtt;

namespace EdgeGateway.Tests.Uplink;

public sealed class PublishBatchTests
{
    [Fact]
    public void Plan_MixedLease_GroupsByStreamAndClassInOrderAndSplitsAtMax()
    {
        var emergency = TestEnvelopes.Message("car-1", PriorityClass.Emergency, "button");
        var gnss = Enumerable.Range(0, 5).Select(_ => TestEnvelopes.Message("car-1")).ToList();
        var health = TestEnvelopes.Message("car-1", PriorityClass.Telemetry, "health");

        var batches = PublishBatch.Plan([emergency, gnss[0], health, .. gnss.Skip(1)], maxCount: 3, maxBytes: 1 << 20);

        Assert.Equal(
            [("button", 1), ("gnss", 3), ("health", 1), ("gnss", 2)],
            batches.Select(b => (b.Stream, b.Messages.Count)));
        Assert.Equal(gnss.Select(m => m.MessageId), batches.Where(b => b.Stream == "gnss").SelectMany(b => b.Messages).Select(m => m.MessageId));
    }

    [Fact]
    public void Plan_BytesLimit_SplitsBeforeExceeding()
    {
        var messages = Enumerable.Range(0, 10).Select(_ => TestEnvelopes.Message("car-1")).ToList();
        var size = EnvelopeBatchPayload.SizeOf(messages[0]);

        var batches = PublishBatch.Plan(messages, maxCount: 200, maxBytes: (size * 4) + 2);

        Assert.All(batches, b => Assert.True(b.Messages.Sum(EnvelopeBatchPayload.SizeOf) <= (size * 4) + 2));
        Assert.Equal(10, batches.Sum(b => b.Messages.Count));
    }

    [Fact]
    public void Build_Envelopes_ParsesAsEnvelopeBatch()
    {
        var messages = Enumerable.Range(0, 3).Select(_ => TestEnvelopes.Message("car-1")).ToList();

        var batch = EnvelopeBatch.Parser.ParseFrom(EnvelopeBatchPayload.Build(messages));

        Assert.Equal(messages.Select(m => m.MessageId), batch.Envelopes.Select(e => e.MessageId));
        Assert.All(batch.Envelopes, e => Assert.Equal(FixMode._3D, e.Position.Mode));
    }

    [Fact]
    public void ExpiryIntervalSeconds_Batch_UsesEarliestRoundedUp()
    {
        var now = new DateTimeOffset(2026, 11, 23, 18, 0, 0, TimeSpan.Zero);
        var messages = new[]
        {
            TestEnvelopes.Message("car-1", expiresAt: now.AddSeconds(90)),
            TestEnvelopes.Message("car-1", expiresAt: now.AddSeconds(30.2)),
        };

        Assert.Equal(31u, MqttBearer.ExpiryIntervalSeconds(messages, now));
        Assert.Null(MqttBearer.ExpiryIntervalSeconds([messages[0] with { ExpiresAt = DateTimeOffset.MaxValue }], now));
        Assert.True(EnvelopePolicy.IsExpiredAt(now, now));
        Assert.False(EnvelopePolicy.IsExpiredAt(DateTimeOffset.MaxValue, now));
    }
}
