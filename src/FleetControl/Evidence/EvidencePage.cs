namespace FleetControl.Evidence;

/// <summary>One page of a search; <see cref="NextCursor"/> is null on the last page.</summary>
internal sealed record EvidencePage(IReadOnlyList<EvidenceSummary> Items, string? NextCursor);
