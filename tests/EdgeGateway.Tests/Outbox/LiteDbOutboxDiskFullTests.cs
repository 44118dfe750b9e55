using EdgeGateway.Contracts.V1;
using EdgeGateway.Core;
using EdgeGateway.Outbox;
using EdgeGateway.Testing;

namespace EdgeGateway.Tests.Outbox;

/// <summary>
/// The disk filled by another program, on a real small file system (a tmpfs mounted by the test):
/// lower classes are refused with an alarm, Emergency and Alert are stored from the reserve, nothing
/// throws, and everything is admitted again by itself once the space is back.
/// </summary>
public sealed class LiteDbOutboxDiskFullTests : IDisposable
{
    private const long Reserve = 512 * 1024;

    private readonly SmallFileSystem _disk = SmallFileSystem.Mount(6 * 1024 * 1024);
    private readonly List<string> _accepted = [];
    private readonly List<string> _refused = [];

    public void Dispose() => _disk.Dispose();

    [Fact]
    public async Task Enqueue_DiskFilledByAnotherFile_UrgentOnlyWithAlarmThenRecoversWhenFreed()
    {
        using var context = Create();
        context.Outbox.RunMaintenance();
        Assert.Equal(Reserve, new FileInfo(context.Outbox.UrgentReserve.Path).Length);
        for (var i = 0; i < 20; i++)
        {
            Assert.Equal(EnqueueResult.Accepted, await AcceptAsync(context, i % 2 == 0 ? PriorityClass.Telemetry : PriorityClass.Event));
        }

        _disk.Fill();

        // The first write meets ENOSPC: LiteDB fails, the outbox reopens it, releases the reserve.
        Assert.Equal(EnqueueResult.RefusedDiskFull, await AcceptAsync(context, PriorityClass.Telemetry));
        Assert.Equal(EnqueueResult.Accepted, await AcceptAsync(context, PriorityClass.Emergency));
        Assert.Equal(EnqueueResult.Accepted, await AcceptAsync(context, PriorityClass.Alert));
        foreach (var lower in new[] { PriorityClass.Event, PriorityClass.Read, PriorityClass.Telemetry, PriorityClass.Bulk })
        {
            Assert.Equal(EnqueueResult.RefusedDiskFull, await AcceptAsync(context, lower));
        }

        context.Outbox.RunMaintenance(); // must not throw; still full
        context.Outbox.FlushDataLossReports();
        var full = context.Outbox.GetStatistics();
        Assert.True(full.DiskFull);
        Assert.True(full.StoreOpen);
        Assert.Equal(DurabilityState.Degraded, full.Durability);
        Assert.Null(full.QuarantinedFile);
        Assert.False(File.Exists(context.Outbox.UrgentReserve.Path));
        Assert.Equal(5UL, full.Drops.Where(d => d.Reason == "refused").Aggregate(0UL, (n, d) => n + d.Count));
        Assert.Empty(Directory.GetFiles(context.Directory, "*.corrupt-*"));

        // Delivery goes on while the disk is full, and the alarm and the data-loss reports are there.
        var delivered = await DeliverAllAsync(context);
        Assert.Contains(delivered, e => e.Stream == LiteDbOutbox.AlarmStream && e.Event.Type == "outbox.disk_full" && e.Priority == PriorityClass.Alert);
        var telemetryLoss = delivered.Where(e => e.DataLoss is { Priority: PriorityClass.Telemetry, Reason: "refused" }).Sum(e => (long)e.DataLoss.Count);
        Assert.Equal(2, telemetryLoss);

        _disk.Free();
        context.Outbox.RunMaintenance();

        var recovered = context.Outbox.GetStatistics();
        Assert.False(recovered.DiskFull);
        Assert.Equal(DurabilityState.Ok, recovered.Durability);
        Assert.Equal(Reserve, new FileInfo(context.Outbox.UrgentReserve.Path).Length);
        foreach (var any in OutboxClassDefaults.All)
        {
            Assert.Equal(EnqueueResult.Accepted, await AcceptAsync(context, any));
        }

        delivered.AddRange(await DeliverAllAsync(context));
        Assert.Contains(delivered, e => e.Stream == LiteDbOutbox.AlarmStream && e.Event.Type == "outbox.disk_recovered");
        AssertAcceptedDeliveredExactlyOnce(delivered);
        Assert.Equal(0, context.Outbox.GetStatistics().Classes.Sum(c => c.Depth));
    }

    [Fact]
    public async Task RunMaintenance_DiskFullForAnHour_HousekeepingLeavesTheReserveToEmergencyAndAlert()
    {
        using var context = Create();
        context.Outbox.RunMaintenance();
        for (var i = 0; i < 20; i++)
        {
            Assert.Equal(EnqueueResult.Accepted, await AcceptAsync(context, i % 2 == 0 ? PriorityClass.Telemetry : PriorityClass.Event));
        }

        _disk.Fill();

        // An hour of a full disk, minute by minute: a refused position, the maintenance pass that reports it as
        // lost, and the delivery (and deletion) of that report. Each of these commits grows LiteDB's log; without
        // a checkpoint from the reserve they used it up within minutes (a 512 KiB reserve lasted four).
        var delivered = new List<Envelope>();
        for (var minute = 0; minute < 60; minute++)
        {
            Assert.Equal(EnqueueResult.RefusedDiskFull, await AcceptAsync(context, PriorityClass.Telemetry));
            context.FakeTime.Advance(TimeSpan.FromMinutes(1));
            context.Outbox.RunMaintenance();
            delivered.AddRange(await DeliverAllAsync(context));
        }

        Assert.True(context.Outbox.GetStatistics().DiskFull);
        Assert.Equal(60, delivered.Where(e => e.DataLoss is { Priority: PriorityClass.Telemetry, Reason: "refused" }).Sum(e => (long)e.DataLoss.Count));
        Assert.True(_disk.FreeBytes >= Reserve / 2, $"the housekeeping of an hour spent the reserve: {_disk.FreeBytes} bytes free of {Reserve}");
        Assert.Equal(EnqueueResult.Accepted, await AcceptAsync(context, PriorityClass.Emergency));
        Assert.Equal(EnqueueResult.Accepted, await AcceptAsync(context, PriorityClass.Alert));

        _disk.Free();
        context.Outbox.RunMaintenance();
        delivered.AddRange(await DeliverAllAsync(context));
        AssertAcceptedDeliveredExactlyOnce(delivered);
    }

    [Fact]
    public async Task RunMaintenance_DiskFullBeforeAnyWrite_UrgentOnlyWithoutALiteDbFailure()
    {
        using var context = Create();
        context.Outbox.RunMaintenance();
        Assert.Equal(EnqueueResult.Accepted, await AcceptAsync(context, PriorityClass.Read));

        _disk.Fill();
        context.Outbox.RunMaintenance(); // the probe sees the disk full: urgent-only before a write fails

        Assert.True(context.Outbox.GetStatistics().DiskFull);
        Assert.Equal(EnqueueResult.RefusedDiskFull, await AcceptAsync(context, PriorityClass.Read));
        Assert.Equal(EnqueueResult.Accepted, await AcceptAsync(context, PriorityClass.Emergency));

        _disk.Free();
        context.Outbox.RunMaintenance();
        Assert.Equal(EnqueueResult.Accepted, await AcceptAsync(context, PriorityClass.Read));
        AssertAcceptedDeliveredExactlyOnce(await DeliverAllAsync(context));
    }

    [Fact]
    public async Task RunMaintenance_NewStoreOnAFullDisk_NotQuarantinedAndOpensWhenSpaceReturns()
    {
        _disk.Fill();
        using var context = Create();

        context.Outbox.RunMaintenance();
        Assert.Equal(EnqueueResult.RefusedDiskFull, await AcceptAsync(context, PriorityClass.Telemetry));
        var unavailable = context.Outbox.GetStatistics();
        Assert.Equal(DurabilityState.Degraded, unavailable.Durability);
        Assert.Empty(Directory.GetFiles(context.Directory, "*.corrupt-*"));

        _disk.Free();
        context.Outbox.RunMaintenance();

        var open = context.Outbox.GetStatistics();
        Assert.True(open.StoreOpen);
        Assert.False(open.DiskFull);
        Assert.Null(open.QuarantinedFile);
        Assert.Equal(DurabilityState.Ok, open.Durability);
        Assert.Equal(EnqueueResult.Accepted, await AcceptAsync(context, PriorityClass.Telemetry));
        AssertAcceptedDeliveredExactlyOnce(await DeliverAllAsync(context));
    }

    private OutboxTestContext Create(long reserve = Reserve) => OutboxTestContext.Create(
        o =>
        {
            o.UrgentReserveBytes = reserve;
            o.MaintenanceInterval = TimeSpan.FromSeconds(1);
        },
        directory: Path.Combine(_disk.Path, "data"));

    private async Task<EnqueueResult> AcceptAsync(OutboxTestContext context, PriorityClass priority)
    {
        var draft = OutboxTestContext.Draft(priority, "stream-" + priority, context.Time.GetUtcNow(), padding: 400);
        var result = await context.Sink.AcceptAsync(draft, TestContext.Current.CancellationToken).AsTask().WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
        (result == EnqueueResult.Accepted ? _accepted : _refused).Add(draft.MessageId);
        return result;
    }

    /// <summary>Leases and acknowledges until the outbox is empty; returns what was delivered.</summary>
    private static async Task<List<Envelope>> DeliverAllAsync(OutboxTestContext context)
    {
        var delivered = new List<Envelope>();
        while (await context.LeaseAllAsync() is { Count: > 0 } batch)
        {
            delivered.AddRange(batch.Select(OutboxTestContext.Parse));
            await context.Outbox.AcknowledgeAsync(batch.Select(m => m.MessageId).ToList(), TestContext.Current.CancellationToken);
        }

        return delivered;
    }

    /// <summary>Every accepted message delivered exactly once, no refused one delivered, sequences gap-free.</summary>
    private void AssertAcceptedDeliveredExactlyOnce(List<Envelope> delivered)
    {
        var ours = delivered.Where(e => !LiteDbOutbox.AlarmStream.Equals(e.Stream, StringComparison.Ordinal) && e.Stream != LiteDbOutbox.DataLossStream).ToList();
        Assert.Equal(_accepted.Count, ours.Count);
        Assert.Equal(_accepted.Order(StringComparer.Ordinal), ours.Select(e => e.MessageId).Order(StringComparer.Ordinal));
        Assert.DoesNotContain(ours, e => _refused.Contains(e.MessageId));
        foreach (var stream in ours.GroupBy(e => e.Stream))
        {
            var sequences = stream.Select(e => e.Sequence).Order().ToList();
            Assert.Equal(Enumerable.Range(1, sequences.Count).Select(i => (ulong)i), sequences);
        }
    }
}
