namespace FleetControl.Store;

/// <summary>One page of positions, oldest first; <paramref name="NextCursor"/> is null on the last page.</summary>
/// <param name="Positions">The positions of this page.</param>
/// <param name="NextCursor">Pass to the next call to continue after this page.</param>
internal sealed record PositionPage(IReadOnlyList<PositionRecord> Positions, string? NextCursor);
