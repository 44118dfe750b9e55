using EdgeGateway.Contracts.V1;

namespace EdgeGateway.Tests.Outbox;

/// <summary>LiteDB-only leasing behaviour (the shared behaviour is in <see cref="Contract.OutboxContractTests"/>).</summary>
public sealed class LiteDbOutboxLeasingTests
{
    [Fact]
    public async Task AcknowledgeAsync_AfterRestart_DeletesUnleasedIds()
    {
        using var context = OutboxTestContext.Create();
        await context.AcceptAsync(PriorityClass.Read, "anpr");
        var leased = await context.Outbox.LeaseAsync(1, TestContext.Current.CancellationToken);
        context.Reopen();

        await context.Outbox.AcknowledgeAsync([leased[0].MessageId], TestContext.Current.CancellationToken);

        Assert.Empty(await context.Outbox.LeaseAsync(10, TestContext.Current.CancellationToken));
        Assert.Equal(0, context.Outbox.GetStatistics().Classes.Sum(c => c.Depth));
    }
}
