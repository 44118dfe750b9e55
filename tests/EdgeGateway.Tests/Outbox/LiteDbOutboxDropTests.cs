using EdgeGateway.Contracts.V1;
using EdgeGateway.Core;
using EdgeGateway.Outbox;

namespace EdgeGateway.Tests.Outbox;

public sealed class LiteDbOutboxDropTests
{
    private static ulong Drops(LiteDbOutbox outbox, PriorityClass priority, string reason) =>
        outbox.GetStatistics().Drops.Where(d => d.Priority == priority && d.Reason == reason).Sum(d => (long)d.Count) is var n ? (ulong)n : 0;

    [Fact]
    public async Task RunMaintenance_ExpiredBacklog_SweptAndCounted()
    {
        using var context = OutboxTestContext.Create(o => o.Classes["Read"] = new OutboxClassOptions { Expiry = TimeSpan.FromHours(1) });
        for (var i = 0; i < 10; i++)
        {
            await context.AcceptAsync(PriorityClass.Read, "anpr");
        }

        context.FakeTime.Advance(TimeSpan.FromMinutes(30));
        await context.AcceptAsync(PriorityClass.Read, "anpr");
        context.FakeTime.Advance(TimeSpan.FromMinutes(31));

        context.Outbox.RunMaintenance();

        Assert.Equal(10UL, Drops(context.Outbox, PriorityClass.Read, "expired"));
        Assert.Equal(1, context.Outbox.GetStatistics().Classes.Single(c => c.Priority == PriorityClass.Read).Depth);
    }

    [Fact]
    public async Task FlushDataLossReports_DropsOfSeveralKinds_OneReportPerClassAndReasonWithSpan()
    {
        using var context = OutboxTestContext.Create(o => o.Classes["Bulk"] = new OutboxClassOptions { QuotaBytes = 64 * 1024 });
        var firstRefusedAt = DateTimeOffset.MinValue;
        var lastRefusedAt = DateTimeOffset.MinValue;
        for (var i = 0; i < 100; i++)
        {
            var capturedAt = context.Time.GetUtcNow();
            var result = await context.Sink.AcceptAsync(OutboxTestContext.Draft(PriorityClass.Bulk, "evidence", capturedAt, 900), TestContext.Current.CancellationToken);
            if (result == EnqueueResult.RefusedQuota)
            {
                firstRefusedAt = firstRefusedAt == DateTimeOffset.MinValue ? capturedAt : firstRefusedAt;
                lastRefusedAt = capturedAt;
            }

            context.FakeTime.Advance(TimeSpan.FromSeconds(1));
        }

        await context.Sink.AcceptAsync(OutboxTestContext.Draft(PriorityClass.Telemetry, "gnss", context.Time.GetUtcNow() - TimeSpan.FromDays(9)), TestContext.Current.CancellationToken);
        var refused = Drops(context.Outbox, PriorityClass.Bulk, "refused");

        context.Outbox.FlushDataLossReports();
        context.Outbox.FlushDataLossReports(); // nothing new: no second report

        var reports = (await context.LeaseAllAsync())
            .Where(m => m.Stream == LiteDbOutbox.DataLossStream)
            .Select(OutboxTestContext.Parse)
            .ToList();
        Assert.Equal(2, reports.Count);
        Assert.All(reports, r => Assert.Equal(PriorityClass.Event, r.Priority));
        Assert.Equal(new ulong[] { 1, 2 }, reports.Select(r => r.Sequence));
        var bulk = reports.Single(r => r.DataLoss.Priority == PriorityClass.Bulk).DataLoss;
        Assert.Equal("refused", bulk.Reason);
        Assert.Equal(refused, bulk.Count);
        Assert.Equal("evidence", bulk.Stream);
        Assert.Equal(firstRefusedAt, bulk.FirstCapturedAt.ToDateTimeOffset());
        Assert.Equal(lastRefusedAt, bulk.LastCapturedAt.ToDateTimeOffset());
        var expired = reports.Single(r => r.DataLoss.Priority == PriorityClass.Telemetry).DataLoss;
        Assert.Equal(("expired", 1UL), (expired.Reason, expired.Count));
    }

    [Fact]
    public async Task RunMaintenance_PendingLossesSurviveRestart_ReportedAfterReopen()
    {
        using var context = OutboxTestContext.Create(o => o.Classes["Alert"] = new OutboxClassOptions { QuotaBytes = 64 * 1024 });
        for (var i = 0; i < 80; i++)
        {
            await context.AcceptAsync(PriorityClass.Alert, "hits", padding: 900);
        }

        // One more accepted write persists the pending loss with the state document.
        await context.AcceptAsync(PriorityClass.Read, "anpr");
        var refused = Drops(context.Outbox, PriorityClass.Alert, "refused");
        Assert.True(refused > 0);
        context.Reopen();

        context.Outbox.RunMaintenance();

        var report = (await context.LeaseAllAsync()).Where(m => m.Stream == LiteDbOutbox.DataLossStream).Select(OutboxTestContext.Parse).Single();
        Assert.Equal(refused, report.DataLoss.Count);
        Assert.Equal(PriorityClass.Alert, report.DataLoss.Priority);
    }

    [Fact]
    public async Task EnqueueAsync_FreeDiskBelowReserve_LowClassesRefusedFirst()
    {
        using var context = OutboxTestContext.Create(o => o.FreeDiskReserveBytes = 1000);
        context.Outbox.FreeDiskProbe = () => 700;
        context.Outbox.RunMaintenance();

        Assert.Equal(EnqueueResult.RefusedDiskReserve, await context.AcceptAsync(PriorityClass.Telemetry));
        Assert.Equal(EnqueueResult.RefusedDiskReserve, await context.AcceptAsync(PriorityClass.Bulk));
        Assert.Equal(EnqueueResult.Accepted, await context.AcceptAsync(PriorityClass.Read));
        Assert.Equal(EnqueueResult.Accepted, await context.AcceptAsync(PriorityClass.Alert));

        context.Outbox.FreeDiskProbe = () => 100;
        context.Outbox.RunMaintenance();

        Assert.Equal(EnqueueResult.RefusedDiskReserve, await context.AcceptAsync(PriorityClass.Read));
        Assert.Equal(EnqueueResult.Accepted, await context.AcceptAsync(PriorityClass.Emergency));
        Assert.Equal(1UL, Drops(context.Outbox, PriorityClass.Read, "refused"));
    }
}
