using EdgeGateway.Contracts.Tetra;
using EdgeGateway.Devices.Tetra;
using EdgeGateway.Outbox.InMemory;
using EdgeGateway.Uplink.Drain;
using EdgeGateway.Uplink.Routing;
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
    public void Bearer_ResentPosition_SameLipBytes_NotThinned_OtherPositionThinned()
    {
        var outbox = new InMemoryOutbox();
        var drain = new DrainLoop(outbox, new DrainSettings(1, 1, 1, 1024, 10, TimeSpan.FromMinutes(1)), new EdgeGateway.Uplink.UplinkCounters(), TimeProvider.System, new TestLogger<DrainLoop>());
        var settings = TetraUplinkSettings.From(new TetraOptions { DispatcherIssi = "9000" }, new RoutingOptions { LipInterval = TimeSpan.FromHours(1) });
        var bearer = new TetraBearer(new ReportingSds(), drain, settings, new TetraUplinkCounters(), TimeProvider.System, new TestLogger<TetraBearer>(), TestContext.Current.CancellationToken);
        var first = TestEnvelopes.Message("car-1");
        var second = TestEnvelopes.Message("car-1");

        var sent = bearer.Plan(first);
        var thinned = bearer.Plan(second);
        var again = bearer.Plan(first); // its report was lost: the drain sends it again within the LIP interval

        Assert.NotNull(sent);
        Assert.Null(thinned);
        Assert.NotNull(again);
        Assert.Equal(sent.Value.Payloads[0], again.Value.Payloads[0]);
        Assert.True(LipCodec.TryDecode([LipCodec.ProtocolId, .. sent.Value.Payloads[0]], LipCodec.ShortReportBits, out var report));
        Assert.Equal((true, TetraBearer.LipReferenceOf(first.MessageId)), (report!.AdditionalDataIsUserDefined, (byte)report.AdditionalData));
    }

    [Fact]
    public void RecentLips_SameBytesForAnotherMessage_IsRefused_ForTheSameMessageAllowed()
    {
        var lips = new RecentLips();
        byte[] lip = [0x0A, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0x10];

        Assert.True(lips.TryClaim(lip, "m-1"));
        Assert.True(lips.TryClaim(lip, "m-1"));
        Assert.False(lips.TryClaim(lip, "m-2"));
        Assert.True(lips.Sent("m-1"));
        Assert.False(lips.Sent("m-2"));
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
