using EdgeGateway.Core;
using EdgeGateway.Hosting;
using EdgeGateway.Outbox;
using Microsoft.Extensions.Time.Testing;

namespace EdgeGateway.Tests.Outbox.Contract;

/// <summary>The outbox contract against the in-memory outbox the uplink tests and benchmarks use.</summary>
public sealed class InMemoryOutboxContractTests : OutboxContractTests
{
    private protected override OutboxUnderTest Create(Action<OutboxOptions>? configure = null)
    {
        var options = new OutboxOptions();
        configure?.Invoke(options);
        var time = new FakeTimeProvider(OutboxTestContext.Start);
        var ids = new MonotonicMessageIdGenerator(time);
        var outbox = new InMemoryOutbox(time, levelTriggered: true, options, "test-vehicle");
        var sink = new ObservationSink(
            outbox,
            outbox,
            ids,
            Microsoft.Extensions.Options.Options.Create(new GatewayOptions { DeviceId = "test-vehicle" }),
            Microsoft.Extensions.Options.Options.Create(options),
            time);
        return new OutboxUnderTest(
            outbox,
            sink,
            time,
            ids,
            envelopes => outbox.EnqueueManyAsync(envelopes, OutboxUnderTest.Cancel),
            outbox.GetStatistics,
            owner: null);
    }
}
