namespace EdgeGateway.Evidence;

/// <summary>The camera left its bay (marker gone, volume gone) while one of its recordings was being read.</summary>
internal sealed class CameraUndockedException(string message, Exception? inner = null) : IOException(message, inner);
