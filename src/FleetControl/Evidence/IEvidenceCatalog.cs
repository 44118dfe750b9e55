namespace FleetControl.Evidence;

/// <summary>
/// Metadata of committed evidence items. Behind an interface so a national deployment can move it to
/// PostgreSQL (DESIGN.md "Scale beyond one machine"); the file implementation suits one vault directory.
/// </summary>
internal interface IEvidenceCatalog
{
    EvidenceRecord? Find(string evidenceId);

    /// <summary>Every committed item, optionally only those offloaded by one dock.</summary>
    IReadOnlyList<EvidenceRecord> List(string? deviceId);

    /// <summary>Stores the record durably; the item counts as committed once this returns.</summary>
    void Save(EvidenceRecord record);
}
