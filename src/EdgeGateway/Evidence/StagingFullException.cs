namespace EdgeGateway.Evidence;

/// <summary>Staging has no room (quota or free-disk reserve) for an item; offload pauses.</summary>
internal sealed class StagingFullException(string message) : IOException(message);
