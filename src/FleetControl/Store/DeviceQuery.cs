namespace FleetControl.Store;

/// <summary>
/// A page of the device list: devices whose id or role contains <paramref name="Filter"/> (case-insensitive;
/// null or empty matches all) and whose online flag is <paramref name="Online"/> (null matches both), ordered
/// by device id (ordinal), <paramref name="Limit"/> of them after skipping <paramref name="Offset"/>.
/// </summary>
/// <param name="Filter">Text the device id or role must contain, or null.</param>
/// <param name="Online">The online state wanted, or null for both.</param>
/// <param name="Offset">Matching devices to skip (0 or more).</param>
/// <param name="Limit">Largest page (1 or more).</param>
internal sealed record DeviceQuery(string? Filter = null, bool? Online = null, int Offset = 0, int Limit = 100);
