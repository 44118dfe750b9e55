using EdgeGateway.Contracts.V1;

namespace FleetControl.Anpr;

/// <summary>
/// Hotlist entries, the delta of each version and what each vehicle holds: <see cref="LiteDbHotlistStore"/> in
/// <c>anpr.db</c>, or <see cref="PostgreSql.PostgreSqlHotlistStore"/> in the shared database, where the version comes
/// from a sequence so that every instance hands out the same versions and deltas.
/// </summary>
internal interface IHotlistStore
{
    /// <summary>The current hotlist version (0 before the first change).</summary>
    long HotlistVersion { get; }

    /// <summary>
    /// Applies a change as the next version: entries upserted and removed, the delta kept for vehicles to catch up
    /// with. Returns the delta (its base is the previous version).
    /// </summary>
    HotlistUpdate ChangeHotlist(IReadOnlyList<HotlistEntry> upserts, IReadOnlyList<string> removals);

    /// <summary>Every entry of the current version (optionally only one VRM).</summary>
    List<HotlistEntry> HotlistEntries(string? vrm = null);

    /// <summary>
    /// What takes a vehicle from <paramref name="held"/> to the current version: one combined delta when every delta
    /// since is kept, else null (the caller sends a snapshot).
    /// </summary>
    HotlistUpdate? DeltaSince(long held);

    /// <summary>What one vehicle holds and has on its way, or null when it never reported.</summary>
    HotlistDeviceRecord? Device(string deviceId);

    /// <summary>Every vehicle that has reported a hotlist version.</summary>
    List<HotlistDeviceRecord> DevicesHoldingHotlists();

    /// <summary>Records (replaces) a vehicle's hotlist state.</summary>
    void SaveDevice(HotlistDeviceRecord device);
}
