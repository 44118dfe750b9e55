namespace FleetControl.Anpr;

/// <summary>A hotlist entry in the REST API.</summary>
/// <param name="Vrm">Normalised on the way in.</param>
/// <param name="List">The list it belongs to (e.g. stolen, wanted, no-insurance).</param>
/// <param name="Reason">What the officer is told.</param>
/// <param name="Markers">Warning markers (e.g. firearms, violent).</param>
/// <param name="ExpiresAt">After this the vehicles stop matching it.</param>
internal sealed record HotlistEntryDto(string Vrm, string List, string Reason, IReadOnlyList<string>? Markers = null, DateTimeOffset? ExpiresAt = null);
