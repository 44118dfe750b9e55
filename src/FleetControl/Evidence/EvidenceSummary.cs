namespace FleetControl.Evidence;

/// <summary>What the evidence index holds per item: enough to list and search without reading the vault.</summary>
/// <param name="EvidenceId">The item.</param>
/// <param name="DeviceId">The dock that offloaded it.</param>
/// <param name="CameraSerial">The camera it came from.</param>
/// <param name="FileName">Its file name on the camera.</param>
/// <param name="Size">Bytes stored.</param>
/// <param name="Sha256">The receipt's SHA-256.</param>
/// <param name="Critical">Offloaded first (critical category or trigger).</param>
/// <param name="StoredAt">When the vault committed it (UTC ISO 8601).</param>
/// <param name="RecordedAt">When it was recorded: the sidecar's start, or the file's time without one.</param>
/// <param name="OfficerId">The sidecar's officer, if any.</param>
/// <param name="Category">The sidecar's category, if any.</param>
/// <param name="Trigger">The sidecar's trigger, if any.</param>
/// <param name="SidecarStatus">ok, missing or invalid.</param>
/// <param name="VaultCustodyEntries">Custody entries the vault added when it stored the item (those in the receipt). The whole chain, with the dock's entries before and after, is in the custody file: the export and `evidence verify` count it.</param>
internal sealed record EvidenceSummary(
    string EvidenceId,
    string DeviceId,
    string CameraSerial,
    string FileName,
    ulong Size,
    string Sha256,
    bool Critical,
    string StoredAt,
    DateTimeOffset RecordedAt,
    string? OfficerId,
    string? Category,
    string? Trigger,
    string SidecarStatus,
    int VaultCustodyEntries);
