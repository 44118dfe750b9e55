namespace FleetControl.Anpr;

/// <summary>Which hotlist version a vehicle holds (its last report or update result) and what is on its way to it.</summary>
internal sealed record HotlistDeviceRecord(string DeviceId, long Version, DateTimeOffset ReportedAt, IReadOnlyList<string> PendingCommands, long PendingVersion);
