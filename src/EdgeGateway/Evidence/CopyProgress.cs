namespace EdgeGateway.Evidence;

/// <summary>
/// The durable part of a staging copy: bytes that are fsynced in the staged file. The SHA-256 state
/// itself cannot be serialised in .NET, so a resume re-hashes the staged prefix from local disk
/// (fast, sequential) instead of re-reading it from the camera; see <see cref="RecordingCopier"/>.
/// </summary>
internal sealed record CopyProgress(long Offset, long Size, string? Sha256);
