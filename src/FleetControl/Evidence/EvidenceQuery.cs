namespace FleetControl.Evidence;

/// <summary>
/// An evidence search: every filter given must match (exact, case-insensitive), newest recording
/// first, at most <see cref="Limit"/> items from after <see cref="Cursor"/>.
/// </summary>
/// <param name="DeviceId">Offloading dock.</param>
/// <param name="CameraSerial">Camera.</param>
/// <param name="OfficerId">Officer (from the sidecar).</param>
/// <param name="Category">Category (from the sidecar).</param>
/// <param name="Trigger">Trigger (from the sidecar).</param>
/// <param name="From">Recorded at or after.</param>
/// <param name="To">Recorded before.</param>
/// <param name="Cursor">The previous page's <see cref="EvidencePage.NextCursor"/>.</param>
/// <param name="Limit">Page size.</param>
internal sealed record EvidenceQuery(
    string? DeviceId = null,
    string? CameraSerial = null,
    string? OfficerId = null,
    string? Category = null,
    string? Trigger = null,
    DateTimeOffset? From = null,
    DateTimeOffset? To = null,
    string? Cursor = null,
    int Limit = EvidenceQuery.DefaultLimit)
{
    /// <summary>Page size when none is given.</summary>
    public const int DefaultLimit = 100;

    /// <summary>Largest page.</summary>
    public const int MaxLimit = 1000;
}
