namespace EdgeGateway.Evidence;

/// <summary>
/// A finished staging copy: the SHA-256, where this run resumed, how much it copied, and, when the
/// staged prefix did not match the camera's bytes, where they first differed (the copy then restarted at 0).
/// </summary>
internal sealed record CopyResult(string Sha256, long ResumedFrom, long CopiedBytes, long? PrefixMismatchAt = null, long DiscardedBytes = 0);
