namespace EdgeGateway.Devices.Anpr.Hotlists;

/// <summary>What a hotlist says about an entry. Shared by every entry with the same list, reason and markers.</summary>
internal sealed record HotlistMeta(string List, string Reason, IReadOnlyList<string> Markers);
