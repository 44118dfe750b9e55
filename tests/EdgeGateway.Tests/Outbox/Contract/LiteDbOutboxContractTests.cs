using EdgeGateway.Outbox;
using Microsoft.Extensions.Time.Testing;

namespace EdgeGateway.Tests.Outbox.Contract;

/// <summary>The outbox contract against the durable LiteDB outbox on a real file.</summary>
public sealed class LiteDbOutboxContractTests : OutboxContractTests
{
    private protected override OutboxUnderTest Create(Action<OutboxOptions>? configure = null)
    {
        var context = OutboxTestContext.Create(configure);
        return new OutboxUnderTest(
            context.Outbox,
            context.Sink,
            context.FakeTime,
            context.Ids,
            envelopes => context.Outbox.EnqueueManyAsync(envelopes, OutboxUnderTest.Cancel),
            context.Outbox.GetStatistics,
            context);
    }
}
