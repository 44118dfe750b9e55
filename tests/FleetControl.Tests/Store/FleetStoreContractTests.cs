using EdgeGateway.Contracts.V1;
using FleetControl.Store;
using FleetControl.Tests.Infrastructure;
using Google.Protobuf.WellKnownTypes;

namespace FleetControl.Tests.Store;

/// <summary>
/// What every <see cref="IFleetStore"/> must do, run against each backend by a subclass
/// (<see cref="LiteDbFleetStoreTests"/>, <see cref="PostgreSqlFleetStoreTests"/>).
/// </summary>
public abstract class FleetStoreContractTests : IAsyncLifetime
{
    private protected static readonly DateTimeOffset Now = new(2026, 11, 23, 18, 0, 0, TimeSpan.Zero);

    private IFleetStore? _store;

    private protected IFleetStore Store => _store ?? throw new InvalidOperationException("not initialised");

    private protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>A new, empty store.</summary>
    private protected abstract Task<IFleetStore> CreateStoreAsync();

    /// <summary>Closes <paramref name="store"/> and opens the same data again (a restart, or another instance).</summary>
    private protected abstract Task<IFleetStore> ReopenAsync(IFleetStore store);

    public async ValueTask InitializeAsync() => _store = await CreateStoreAsync();

    public virtual ValueTask DisposeAsync()
    {
        (_store as IDisposable)?.Dispose();
        return ValueTask.CompletedTask;
    }

    [Fact]
    public async Task StoreEnvelopes_SameIdsTwice_SecondIsNoOp()
    {
        var a = TestEnvelopes.Position("car-1", 1);
        var b = TestEnvelopes.Position("car-1", 2);

        var first = await Store.StoreEnvelopesAsync([a, b], Now, Ct);
        var second = await Store.StoreEnvelopesAsync([b, a], Now, Ct);

        Assert.Equal(new StoreBatchResult(2, 0), first);
        Assert.Equal(new StoreBatchResult(0, 2), second);
        Assert.Equal(2, await Store.CountEnvelopesAsync(Ct));
        var device = await Store.GetDeviceAsync("car-1", Ct);
        Assert.Equal(2, device!.EnvelopeCount);
        Assert.Equal(2, device.PositionCount);
        Assert.Equal(2, (await Store.GetPositionsAsync("car-1", 10, Ct)).Count);
    }

    [Fact]
    public async Task StoreEnvelopes_RepeatedIdWithinOneBatch_StoredOnce()
    {
        var a = TestEnvelopes.Position("car-1", 1);

        var result = await Store.StoreEnvelopesAsync([a, a.Clone()], Now, Ct);

        Assert.Equal(new StoreBatchResult(1, 1), result);
        Assert.Equal(1, await Store.CountEnvelopesAsync(Ct));
    }

    [Fact]
    public async Task StoreEnvelopes_LipThenLte_SameDedupeKey_StoredOnce_AlsoForAnotherInstance()
    {
        const string key = "lip-car-7-0A0123456789ABCDEF0123";
        var lip = Lip("car-7", key, 1);
        var lte = Keyed(TestEnvelopes.Position("car-7", 1), key);

        var first = await Store.StoreEnvelopesAsync([lip], Now, Ct);
        var second = await Store.StoreEnvelopesAsync([lte], Now, Ct);
        var resentLip = await Store.StoreEnvelopesAsync([Lip("car-7", key, 600)], Now.AddMinutes(10), Ct); // re-sent: captured at its arrival
        var other = await ReopenAsync(Store);
        var lteAgain = await other.StoreEnvelopesAsync([lte.Clone()], Now, Ct);

        Assert.Equal(new StoreBatchResult(1, 0), first);
        Assert.Equal(new StoreBatchResult(0, 1), second);
        Assert.Equal(new StoreBatchResult(0, 1), resentLip);
        Assert.Equal(new StoreBatchResult(0, 1), lteAgain);
        Assert.Equal(1, await other.CountEnvelopesAsync(Ct));
        var positions = await other.GetPositionsAsync("car-7", 10, Ct);
        Assert.Equal(lip.MessageId, Assert.Single(positions).MessageId);
        Assert.Equal(1, (await other.GetDeviceAsync("car-7", Ct))!.PositionCount);
        (other as IDisposable)?.Dispose();
    }

    [Fact]
    public async Task StoreEnvelopes_LteThenLateLip_AndBothInOneBatch_StoredOnce()
    {
        const string key = "lip-car-8-0A0123456789ABCDEF0456";
        var lte = Keyed(TestEnvelopes.Position("car-8", 1), key);

        var first = await Store.StoreEnvelopesAsync([lte], Now, Ct);
        var lateLip = await Store.StoreEnvelopesAsync([Lip("car-8", key, 60)], Now.AddMinutes(1), Ct);
        const string key2 = "lip-car-8-0A0123456789ABCDEF0789";
        var oneBatch = await Store.StoreEnvelopesAsync([Keyed(TestEnvelopes.Position("car-8", 2), key2), Lip("car-8", key2, 2)], Now, Ct);

        Assert.Equal(new StoreBatchResult(1, 0), first);
        Assert.Equal(new StoreBatchResult(0, 1), lateLip);
        Assert.Equal(new StoreBatchResult(1, 1), oneBatch);
        Assert.Equal(2, await Store.CountEnvelopesAsync(Ct));
        Assert.Equal(2, (await Store.GetPositionsAsync("car-8", 10, Ct)).Count);
    }

    [Fact]
    public async Task StoreEnvelopes_SameDedupeKeyOnAnotherDevice_NotADuplicate()
    {
        const string key = "lip-shared-0A0123456789ABCDEF0123";

        await Store.StoreEnvelopesAsync([Keyed(TestEnvelopes.Position("car-a", 1), key)], Now, Ct);
        var result = await Store.StoreEnvelopesAsync([Keyed(TestEnvelopes.Position("car-b", 1), key)], Now, Ct);

        Assert.Equal(new StoreBatchResult(1, 0), result);
        Assert.Equal(2, await Store.CountEnvelopesAsync(Ct));
    }

    /// <summary>A LIP position as FleetControl's TETRA gateway makes it: named after its report, keyed the same, captured at arrival.</summary>
    private static Envelope Lip(string deviceId, string id, int secondsAfter)
    {
        var envelope = TestEnvelopes.Position(deviceId, 0, messageId: id);
        envelope.Stream = "tetra-lip";
        envelope.DedupeKey = id;
        envelope.CapturedAt = Timestamp.FromDateTimeOffset(Now.AddSeconds(secondsAfter));
        envelope.Position.FixTime = envelope.CapturedAt;
        return envelope;
    }

    private static Envelope Keyed(Envelope envelope, string key)
    {
        envelope.DedupeKey = key;
        return envelope;
    }

    [Fact]
    public async Task StoreEnvelopes_PartlyKnownBatch_OnlyNewOnesCounted()
    {
        var known = TestEnvelopes.Event("car-5", 1);
        await Store.StoreEnvelopesAsync([known], Now, Ct);

        var result = await Store.StoreEnvelopesAsync([TestEnvelopes.Event("car-5", 2), known, TestEnvelopes.DataLoss("car-5", 3)], Now, Ct);

        Assert.Equal(new StoreBatchResult(2, 1), result);
        Assert.Equal(3, (await Store.GetDeviceAsync("car-5", Ct))!.EnvelopeCount);
        Assert.Equal(2, (await Store.GetEventsAsync("car-5", 10, Ct)).Count);
        Assert.Single(await Store.GetDataLossAsync("car-5", Ct));
    }

    [Fact]
    public async Task GetPositions_NewestFirstPerDeviceWithLimit()
    {
        await Store.StoreEnvelopesAsync(
            [TestEnvelopes.Position("car-1", 3), TestEnvelopes.Position("car-1", 1), TestEnvelopes.Position("car-10", 9), TestEnvelopes.Position("car-1", 2)],
            Now,
            Ct);

        var positions = await Store.GetPositionsAsync("car-1", 2, Ct);

        Assert.Equal([3UL, 2UL], positions.Select(p => p.Sequence));
        Assert.All(positions, p => Assert.Equal("car-1", p.DeviceId));
        var last = (await Store.GetDeviceAsync("car-1", Ct))!.LastPosition!;
        Assert.Equal(3UL, last.Sequence);
        Assert.Equal(TestEnvelopes.BaseTime.AddSeconds(3), last.Time);
        Assert.Equal(12.5, last.Speed);
    }

    [Fact]
    public async Task GetPositionsInWindow_PagesOldestFirstWithinTheWindow()
    {
        var all = Enumerable.Range(1, 9).Select(i => TestEnvelopes.Position("car-7", (ulong)i)).ToList();
        await Store.StoreEnvelopesAsync(all, Now, Ct);
        var from = TestEnvelopes.BaseTime.AddSeconds(2);
        var to = TestEnvelopes.BaseTime.AddSeconds(8); // exclusive

        var seen = new List<ulong>();
        string? cursor = null;
        var pages = 0;
        do
        {
            var page = await Store.GetPositionsInWindowAsync("car-7", from, to, cursor, 4, Ct);
            seen.AddRange(page.Positions.Select(p => p.Sequence));
            cursor = page.NextCursor;
            pages++;
        }
        while (cursor is not null && pages < 10);

        Assert.Equal([2UL, 3UL, 4UL, 5UL, 6UL, 7UL], seen);
        Assert.Equal(2, pages);
        Assert.Equal(51.5, (await Store.GetPositionsInWindowAsync("car-7", null, null, null, 1, Ct)).Positions[0].Latitude);
    }

    [Fact]
    public async Task GetHealthHistory_WindowNewestLimitOldestFirst()
    {
        await Store.StoreEnvelopesAsync(
            [.. Enumerable.Range(1, 6).Select(i => TestEnvelopes.Health("dock-3", (ulong)i, $"1.0.{i}"))],
            Now,
            Ct);

        var samples = await Store.GetHealthHistoryAsync("dock-3", TestEnvelopes.BaseTime.AddSeconds(2), TestEnvelopes.BaseTime.AddSeconds(5), 3, Ct);

        Assert.Equal(["1.0.3", "1.0.4", "1.0.5"], samples.Select(s => s.Report.SoftwareVersion));
        Assert.Equal(TestEnvelopes.BaseTime.AddSeconds(5), samples[^1].CapturedAt);
        Assert.Equal("1.0.6", (await Store.GetDeviceAsync("dock-3", Ct))!.Health!.SoftwareVersion);
    }

    [Fact]
    public async Task GetEvents_NewestFirstWithAttributes()
    {
        await Store.StoreEnvelopesAsync([TestEnvelopes.Event("car-4", 1, "a"), TestEnvelopes.Event("car-4", 3, "c"), TestEnvelopes.Event("car-4", 2, "b")], Now, Ct);

        var events = await Store.GetEventsAsync("car-4", 2, Ct);

        Assert.Equal(["c", "b"], events.Select(e => e.Type));
        Assert.Equal("front", events[0].Attributes["camera"]);
        Assert.Equal("camera", events[0].Stream);
    }

    [Fact]
    public async Task UpdateStatus_UnknownDevice_CreatesItAndLastSeenNeverMovesBack()
    {
        await Store.UpdateStatusAsync("car-2", new DeviceStatus { Online = true, At = Timestamp.FromDateTimeOffset(Now) }, Now, Ct);
        await Store.UpdateStatusAsync("car-2", new DeviceStatus { Online = false, At = Timestamp.FromDateTimeOffset(Now.AddHours(-1)) }, Now, Ct);

        var devices = await Store.GetDevicesAsync(Ct);

        var device = Assert.Single(devices);
        Assert.False(device.Online);
        Assert.Equal(Now, device.LastSeen);
    }

    [Fact]
    public async Task Register_ThenEnvelopes_KeepsRegistrationAndCounts()
    {
        await Store.RegisterDeviceAsync(new DeviceRegistration("dock-1", "Dock", "1.0.0", "host-a", ["bwv-dock"], Now), Ct);
        await Store.StoreEnvelopesAsync([TestEnvelopes.Health("dock-1", 1, "1.0.1"), TestEnvelopes.Dock("dock-1", 2)], Now.AddMinutes(1), Ct);

        var device = await Store.GetDeviceAsync("dock-1", Ct);

        Assert.Equal("Dock", device!.Role);
        Assert.Equal(Now, device.RegisteredAt);
        Assert.Equal(Now.AddMinutes(1), device.LastSeen);
        Assert.Equal("1.0.1", device.Health!.SoftwareVersion);
        Assert.Equal("BWV-0001", device.Dock!.Bays[0].CameraSerial);
        Assert.Equal(2, device.EnvelopeCount);
        Assert.Equal(["bwv-dock"], device.Capabilities);
    }

    [Fact]
    public async Task GetDevices_OrderedByIdOrdinal_AndCounted()
    {
        await Store.StoreEnvelopesAsync([TestEnvelopes.Event("car-b", 1), TestEnvelopes.Event("Car-c", 1), TestEnvelopes.Event("car-a", 1)], Now, Ct);

        var devices = await Store.GetDevicesAsync(Ct);

        Assert.Equal(["Car-c", "car-a", "car-b"], devices.Select(d => d.DeviceId));
        Assert.Equal(3, await Store.CountDevicesAsync(Ct));
        Assert.Null(await Store.GetDeviceAsync("car-z", Ct));
    }

    [Fact]
    public async Task GetDevicePage_FilterOnlineAndPaging_MatchesInIdOrder()
    {
        // 12 vehicles car-01..car-12 (even ones online), 3 docks (one registered as "bay-7" with role Dock),
        // and ids with LIKE wildcards that must match only literally.
        for (var i = 1; i <= 12; i++)
        {
            await Store.RegisterDeviceAsync(new DeviceRegistration($"car-{i:D2}", "Vehicle", "1.0.0", "h", [], Now), Ct);
            await Store.UpdateStatusAsync($"car-{i:D2}", new DeviceStatus { Online = i % 2 == 0, At = Timestamp.FromDateTimeOffset(Now) }, Now, Ct);
        }

        foreach (var id in new[] { "dock-2", "dock-1", "bay-7" })
        {
            await Store.RegisterDeviceAsync(new DeviceRegistration(id, "Dock", "1.0.0", "h", [], Now), Ct);
        }

        await Store.UpdateStatusAsync("dock-1", new DeviceStatus { Online = true, At = Timestamp.FromDateTimeOffset(Now) }, Now, Ct);
        await Store.StoreEnvelopesAsync([TestEnvelopes.Event("cam%1", 1), TestEnvelopes.Event("cam_2", 1), TestEnvelopes.Event("camX2", 1), TestEnvelopes.Event("Car-00", 1)], Now, Ct);

        var first = await Store.GetDevicePageAsync(new DeviceQuery(Limit: 4), Ct);
        var third = await Store.GetDevicePageAsync(new DeviceQuery(Offset: 8, Limit: 4), Ct);
        var beyond = await Store.GetDevicePageAsync(new DeviceQuery(Offset: 100, Limit: 4), Ct);
        var docks = await Store.GetDevicePageAsync(new DeviceQuery("dOcK"), Ct);
        var onlineDocks = await Store.GetDevicePageAsync(new DeviceQuery("DOCK", Online: true), Ct);
        var offlineCars = await Store.GetDevicePageAsync(new DeviceQuery("car-", Online: false, Offset: 2, Limit: 2), Ct);
        var online = await Store.GetDevicePageAsync(new DeviceQuery(Online: true, Limit: 3), Ct);
        var percent = await Store.GetDevicePageAsync(new DeviceQuery("%"), Ct);
        var underscore = await Store.GetDevicePageAsync(new DeviceQuery("m_"), Ct);
        var none = await Store.GetDevicePageAsync(new DeviceQuery("nothing-like-this"), Ct);

        Assert.Equal((19L, 19L), (first.Total, first.Matched));
        Assert.Equal(["Car-00", "bay-7", "cam%1", "camX2"], first.Devices.Select(d => d.DeviceId));
        Assert.Equal(["car-04", "car-05", "car-06", "car-07"], third.Devices.Select(d => d.DeviceId));
        Assert.Equal((19L, 19L, 0), (beyond.Total, beyond.Matched, beyond.Devices.Count));
        Assert.Equal((19L, 3L), (docks.Total, docks.Matched));
        Assert.Equal(["bay-7", "dock-1", "dock-2"], docks.Devices.Select(d => d.DeviceId));
        Assert.Equal("Dock", docks.Devices[0].Role);
        Assert.Equal(["dock-1"], onlineDocks.Devices.Select(d => d.DeviceId));
        Assert.Equal(1, onlineDocks.Matched);
        Assert.Equal(7, offlineCars.Matched); // Car-00 (never online, filter ignores case) and car-01, 03, 05, 07, 09, 11
        Assert.Equal(["car-03", "car-05"], offlineCars.Devices.Select(d => d.DeviceId));
        Assert.Equal(7, online.Matched);
        Assert.Equal(["car-02", "car-04", "car-06"], online.Devices.Select(d => d.DeviceId));
        Assert.True(online.Devices.All(d => d.Online));
        Assert.Equal(["cam%1"], percent.Devices.Select(d => d.DeviceId));
        Assert.Equal(["cam_2"], underscore.Devices.Select(d => d.DeviceId));
        Assert.Equal((19L, 0L, 0), (none.Total, none.Matched, none.Devices.Count));
    }

    [Fact]
    public async Task Reopen_SameData_DataStillThereAndIdsStillKnown()
    {
        var a = TestEnvelopes.Position("car-3", 1);
        await Store.StoreEnvelopesAsync([a], Now, Ct);

        var reopened = await ReopenAsync(Store);
        try
        {
            var result = await reopened.StoreEnvelopesAsync([a], Now, Ct);

            Assert.Equal(new StoreBatchResult(0, 1), result);
            Assert.Single(await reopened.GetPositionsAsync("car-3", 10, Ct));
        }
        finally
        {
            (reopened as IDisposable)?.Dispose();
        }
    }
}
