using EdgeGateway.Contracts.V1;

namespace FleetControl.Evidence;

/// <summary>A committed evidence item: what the dock declared, where it is stored, and the receipt given.</summary>
internal sealed record EvidenceRecord(EvidenceItem Item, EvidenceReceipt Receipt, string StoredFileName);
