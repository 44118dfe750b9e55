using EdgeGateway.Contracts.V1;

namespace FleetControl.Store;

/// <summary>
/// FleetControl's durable store. LiteDB is the default; the seam keeps a later PostgreSQL backend a
/// matter of configuration. Every write is durable when its task completes.
/// </summary>
internal interface IFleetStore
{
    /// <summary>
    /// Stores envelopes in ONE transaction, deduplicating on message id (an id already stored is a
    /// no-op). When this completes, every envelope passed in is durably stored.
    /// </summary>
    Task<StoreBatchResult> StoreEnvelopesAsync(IReadOnlyList<Envelope> envelopes, DateTimeOffset receivedAt, CancellationToken cancellationToken);

    /// <summary>
    /// True when a small urgent store call may come back with <see cref="StoreBatchResult.ObserversDeferred"/> (the
    /// LiteDB store with its urgent journal and fold observers): the ingest writer then raises alerts after the call,
    /// only where the store did not take them, instead of beside it. A wrapper forwards its inner store's answer.
    /// </summary>
    bool DefersUrgentObservers => false;

    /// <summary>Records or refreshes a device that called DeviceRegistry.Register.</summary>
    Task RegisterDeviceAsync(DeviceRegistration registration, CancellationToken cancellationToken);

    /// <summary>Applies a (retained or last-will) DeviceStatus: online flag, last seen, role, version.</summary>
    Task UpdateStatusAsync(string deviceId, DeviceStatus status, DateTimeOffset receivedAt, CancellationToken cancellationToken);

    /// <summary>Every known device, ordered by id.</summary>
    Task<IReadOnlyList<DeviceRecord>> GetDevicesAsync(CancellationToken cancellationToken);

    /// <summary>
    /// One page of devices, filtered and paged in the store (the console's fleet table), so a large fleet
    /// is never read whole for one screen.
    /// </summary>
    Task<DevicePage> GetDevicePageAsync(DeviceQuery query, CancellationToken cancellationToken);

    /// <summary>One device, or null when unknown.</summary>
    Task<DeviceRecord?> GetDeviceAsync(string deviceId, CancellationToken cancellationToken);

    /// <summary>The newest <paramref name="limit"/> positions of a device, newest first.</summary>
    Task<IReadOnlyList<PositionRecord>> GetPositionsAsync(string deviceId, int limit, CancellationToken cancellationToken);

    /// <summary>
    /// One page of a device's positions with fix time in [<paramref name="from"/>, <paramref name="to"/>),
    /// oldest first, after <paramref name="cursor"/> (the <see cref="PositionPage.NextCursor"/> of the previous page).
    /// </summary>
    Task<PositionPage> GetPositionsInWindowAsync(string deviceId, DateTimeOffset? from, DateTimeOffset? to, string? cursor, int limit, CancellationToken cancellationToken);

    /// <summary>Every DataLossReport a device sent, oldest first.</summary>
    Task<IReadOnlyList<DataLossRecord>> GetDataLossAsync(string deviceId, CancellationToken cancellationToken);

    /// <summary>A device's health reports captured in [from, to], the newest <paramref name="limit"/>, oldest first.</summary>
    Task<IReadOnlyList<HealthSample>> GetHealthHistoryAsync(string deviceId, DateTimeOffset? from, DateTimeOffset? to, int limit, CancellationToken cancellationToken);

    /// <summary>The newest <paramref name="limit"/> DeviceEvents of a device, newest first.</summary>
    Task<IReadOnlyList<EventRecord>> GetEventsAsync(string deviceId, int limit, CancellationToken cancellationToken);

    /// <summary>Devices known.</summary>
    Task<long> CountDevicesAsync(CancellationToken cancellationToken);

    /// <summary>Envelopes stored in total (all devices).</summary>
    Task<long> CountEnvelopesAsync(CancellationToken cancellationToken);
}
