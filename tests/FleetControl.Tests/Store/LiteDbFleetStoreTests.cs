using EdgeGateway.Contracts.V1;
using FleetControl.Store;
using FleetControl.Tests.Infrastructure;
using Google.Protobuf.WellKnownTypes;

namespace FleetControl.Tests.Store;

public sealed class LiteDbFleetStoreTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2026, 11, 23, 18, 0, 0, TimeSpan.Zero);
    private readonly TempDirectory _dir = new();
    private readonly LiteDbFleetStore _store;

    public LiteDbFleetStoreTests() => _store = new LiteDbFleetStore(Path.Combine(_dir.Path, "fleet.db"));

    public void Dispose()
    {
        _store.Dispose();
        _dir.Dispose();
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task StoreEnvelopes_SameIdsTwice_SecondIsNoOp()
    {
        var a = TestEnvelopes.Position("car-1", 1);
        var b = TestEnvelopes.Position("car-1", 2);

        var first = await _store.StoreEnvelopesAsync([a, b], Now, Ct);
        var second = await _store.StoreEnvelopesAsync([b, a], Now, Ct);

        Assert.Equal(new StoreBatchResult(2, 0), first);
        Assert.Equal(new StoreBatchResult(0, 2), second);
        Assert.Equal(2, await _store.CountEnvelopesAsync(Ct));
        var device = await _store.GetDeviceAsync("car-1", Ct);
        Assert.Equal(2, device!.EnvelopeCount);
        Assert.Equal(2, device.PositionCount);
    }

    [Fact]
    public async Task StoreEnvelopes_RepeatedIdWithinOneBatch_StoredOnce()
    {
        var a = TestEnvelopes.Position("car-1", 1);

        var result = await _store.StoreEnvelopesAsync([a, a.Clone()], Now, Ct);

        Assert.Equal(new StoreBatchResult(1, 1), result);
        Assert.Equal(1, await _store.CountEnvelopesAsync(Ct));
    }

    [Fact]
    public async Task GetPositions_NewestFirstPerDeviceWithLimit()
    {
        await _store.StoreEnvelopesAsync(
            [TestEnvelopes.Position("car-1", 3), TestEnvelopes.Position("car-1", 1), TestEnvelopes.Position("car-10", 9), TestEnvelopes.Position("car-1", 2)],
            Now,
            Ct);

        var positions = await _store.GetPositionsAsync("car-1", 2, Ct);

        Assert.Equal([3UL, 2UL], positions.Select(p => p.Sequence));
        Assert.All(positions, p => Assert.Equal("car-1", p.DeviceId));
        Assert.Equal(3UL, (await _store.GetDeviceAsync("car-1", Ct))!.LastPosition!.Sequence);
    }

    [Fact]
    public async Task UpdateStatus_UnknownDevice_CreatesItAndLastSeenNeverMovesBack()
    {
        await _store.UpdateStatusAsync("car-2", new DeviceStatus { Online = true, At = Timestamp.FromDateTimeOffset(Now) }, Now, Ct);
        await _store.UpdateStatusAsync("car-2", new DeviceStatus { Online = false, At = Timestamp.FromDateTimeOffset(Now.AddHours(-1)) }, Now, Ct);

        var devices = await _store.GetDevicesAsync(Ct);

        var device = Assert.Single(devices);
        Assert.False(device.Online);
        Assert.Equal(Now, device.LastSeen);
    }

    [Fact]
    public async Task Register_ThenEnvelopes_KeepsRegistrationAndCounts()
    {
        await _store.RegisterDeviceAsync(new DeviceRegistration("dock-1", "Dock", "1.0.0", "host-a", ["bwv-dock"], Now), Ct);
        await _store.StoreEnvelopesAsync([TestEnvelopes.Health("dock-1", 1, "1.0.1"), TestEnvelopes.Dock("dock-1", 2)], Now.AddMinutes(1), Ct);

        var device = await _store.GetDeviceAsync("dock-1", Ct);

        Assert.Equal("Dock", device!.Role);
        Assert.Equal(Now, device.RegisteredAt);
        Assert.Equal(Now.AddMinutes(1), device.LastSeen);
        Assert.Equal("1.0.1", device.Health!.SoftwareVersion);
        Assert.Equal("BWV-0001", device.Dock!.Bays[0].CameraSerial);
        Assert.Equal(2, device.EnvelopeCount);
        Assert.Equal(["bwv-dock"], device.Capabilities);
    }

    [Fact]
    public async Task Reopen_SameFile_DataStillThere()
    {
        var a = TestEnvelopes.Position("car-3", 1);
        await _store.StoreEnvelopesAsync([a], Now, Ct);
        _store.Dispose();

        using var reopened = new LiteDbFleetStore(_store.DatabasePath);
        var result = await reopened.StoreEnvelopesAsync([a], Now, Ct);

        Assert.Equal(new StoreBatchResult(0, 1), result);
        Assert.Single(await reopened.GetPositionsAsync("car-3", 10, Ct));
    }
}
