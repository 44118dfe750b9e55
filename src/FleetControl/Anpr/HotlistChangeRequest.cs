namespace FleetControl.Anpr;

/// <summary><c>POST /api/anpr/hotlist</c> body: entries to add or change, VRMs to remove.</summary>
internal sealed record HotlistChangeRequest(IReadOnlyList<HotlistEntryDto>? Upserts, IReadOnlyList<string>? Removals);
