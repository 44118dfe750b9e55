namespace EdgeGateway.Evidence;

/// <summary>A finished staging copy: the SHA-256, where this run resumed, and how much it copied.</summary>
internal sealed record CopyResult(string Sha256, long ResumedFrom, long CopiedBytes);
