namespace FleetControl.Store;

/// <summary>One page of a <see cref="DeviceQuery"/>.</summary>
/// <param name="Total">Devices known (all of them, unfiltered).</param>
/// <param name="Matched">Devices the filter matches (all pages).</param>
/// <param name="Devices">This page, ordered by device id.</param>
internal sealed record DevicePage(long Total, long Matched, IReadOnlyList<DeviceRecord> Devices);
