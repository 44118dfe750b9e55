namespace EdgeGateway.Evidence;

/// <summary>The staging copy a pipelined upload was following stopped early; the upload stops without a trailer.</summary>
internal sealed class CopyAbandonedException(string message) : Exception(message);
