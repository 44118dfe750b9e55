namespace EdgeGateway.Evidence;

/// <summary>A finished upload: the vault's receipt, the offset the vault already held at the first attempt, and the bytes sent by this dock run.</summary>
internal sealed record UploadOutcome(Contracts.V1.EvidenceReceipt Receipt, long ResumedFrom, long BytesSent);
