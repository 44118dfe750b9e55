using EdgeGateway.Contracts.Tetra;
using EdgeGateway.Uplink.Tetra;
using FleetControl.Ingest;
using FleetControl.Tetra;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace EdgeGateway.Tests.Uplink.Tetra;

/// <summary>A LIP position that comes again, however late, keeps its message id at FleetControl.</summary>
public sealed class LipRedeliveryTests
{
    [Fact]
    public async Task SameLipWithReference_ArrivingADayLater_GetsTheSameMessageId()
    {
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-12-01T10:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        var queue = new IngestQueue();
        var options = new TetraGatewayOptions { Enabled = true, Issi = "9000" };
        options.Terminals["1001"] = "car-1";
        var service = new TetraGatewayService(Options.Create(options), queue, new IngestStats(), new TetraGatewayStats(), NullLogger<TetraGatewayService>.Instance, time);
        var lip = LipCodec.Encode(LipCodec.FromPosition(51.79549, -0.07795, 13.9, 90));
        Assert.True(LipCodec.TrySetUserData(lip, TetraBearer.LipReferenceOf(Guid.CreateVersion7().ToString())));
        var line = SwmiLink.Format("1001", "9000", lip);

        await service.OnLineAsync(line, (_, _) => Task.CompletedTask, TestContext.Current.CancellationToken);
        time.Advance(TimeSpan.FromDays(1));
        await service.OnLineAsync(line, (_, _) => Task.CompletedTask, TestContext.Current.CancellationToken);

        Assert.True(queue.Reader.TryRead(out var first));
        Assert.True(queue.Reader.TryRead(out var again));
        Assert.Equal(Assert.Single(first!.Envelopes).MessageId, Assert.Single(again!.Envelopes).MessageId);
        Assert.StartsWith("lip-car-1-", first.Envelopes[0].MessageId, StringComparison.Ordinal);
    }

    [Fact]
    public void ReferenceOfAMessage_IsStable_AndNeverZero()
    {
        var ids = Enumerable.Range(0, 2_000).Select(_ => Guid.CreateVersion7().ToString()).ToList();

        Assert.All(ids, id => Assert.Equal(TetraBearer.LipReferenceOf(id), TetraBearer.LipReferenceOf(id)));
        Assert.DoesNotContain((byte)0, ids.Select(TetraBearer.LipReferenceOf));
        Assert.True(ids.Select(TetraBearer.LipReferenceOf).Distinct().Count() > 200);
    }
}
