using System.Diagnostics;
using EdgeGateway.Contracts.V1;
using FleetControl.Store;

namespace EdgeGateway.Benchmarks.Load;

/// <summary>
/// FleetControl's real store with the load harness listening in on the ingest commits: when each
/// commit starts and ends and how many envelopes it holds, so the "leased → stored" time of an
/// Emergency can be split into getting to FleetControl, waiting for the commit in progress and its own commit.
/// </summary>
internal sealed class ObservingFleetStore(IFleetStore inner, AckObserver observer) : IFleetStore
{
    public async Task<StoreBatchResult> StoreEnvelopesAsync(IReadOnlyList<Envelope> envelopes, DateTimeOffset receivedAt, CancellationToken cancellationToken)
    {
        var start = Stopwatch.GetTimestamp();
        var result = await inner.StoreEnvelopesAsync(envelopes, receivedAt, cancellationToken).ConfigureAwait(false);
        observer.Committed(start, Stopwatch.GetTimestamp(), envelopes);
        return result;
    }

    public bool DefersUrgentObservers => inner.DefersUrgentObservers;

    public Task RegisterDeviceAsync(DeviceRegistration registration, CancellationToken cancellationToken) => inner.RegisterDeviceAsync(registration, cancellationToken);

    public Task UpdateStatusAsync(string deviceId, DeviceStatus status, DateTimeOffset receivedAt, CancellationToken cancellationToken) =>
        inner.UpdateStatusAsync(deviceId, status, receivedAt, cancellationToken);

    public Task<IReadOnlyList<DeviceRecord>> GetDevicesAsync(CancellationToken cancellationToken) => inner.GetDevicesAsync(cancellationToken);

    public Task<DevicePage> GetDevicePageAsync(DeviceQuery query, CancellationToken cancellationToken) => inner.GetDevicePageAsync(query, cancellationToken);

    public Task<DeviceRecord?> GetDeviceAsync(string deviceId, CancellationToken cancellationToken) => inner.GetDeviceAsync(deviceId, cancellationToken);

    public Task<IReadOnlyList<PositionRecord>> GetPositionsAsync(string deviceId, int limit, CancellationToken cancellationToken) =>
        inner.GetPositionsAsync(deviceId, limit, cancellationToken);

    public Task<PositionPage> GetPositionsInWindowAsync(string deviceId, DateTimeOffset? from, DateTimeOffset? to, string? cursor, int limit, CancellationToken cancellationToken) =>
        inner.GetPositionsInWindowAsync(deviceId, from, to, cursor, limit, cancellationToken);

    public Task<IReadOnlyList<DataLossRecord>> GetDataLossAsync(string deviceId, CancellationToken cancellationToken) => inner.GetDataLossAsync(deviceId, cancellationToken);

    public Task<IReadOnlyList<HealthSample>> GetHealthHistoryAsync(string deviceId, DateTimeOffset? from, DateTimeOffset? to, int limit, CancellationToken cancellationToken) =>
        inner.GetHealthHistoryAsync(deviceId, from, to, limit, cancellationToken);

    public Task<IReadOnlyList<EventRecord>> GetEventsAsync(string deviceId, int limit, CancellationToken cancellationToken) => inner.GetEventsAsync(deviceId, limit, cancellationToken);

    public Task<long> CountDevicesAsync(CancellationToken cancellationToken) => inner.CountDevicesAsync(cancellationToken);

    public Task<long> CountEnvelopesAsync(CancellationToken cancellationToken) => inner.CountEnvelopesAsync(cancellationToken);
}
