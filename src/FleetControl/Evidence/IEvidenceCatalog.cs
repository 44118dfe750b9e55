namespace FleetControl.Evidence;

/// <summary>
/// Metadata of committed evidence items. Behind an interface so a national deployment can move it to
/// PostgreSQL (DESIGN.md "Scale beyond one machine"); the file implementation suits one vault directory.
/// </summary>
internal interface IEvidenceCatalog
{
    EvidenceRecord? Find(string evidenceId);

    /// <summary>Committed items matching <paramref name="query"/>, newest recording first, one page at a time (from an index, not a vault scan).</summary>
    EvidencePage Search(EvidenceQuery query);

    /// <summary>Stores the record durably; the item counts as committed once this returns.</summary>
    void Save(EvidenceRecord record);
}
