namespace EdgeGateway.Evidence;

/// <summary>The vault's receipt does not match the dock's hash or size; nothing is wiped.</summary>
internal sealed class ReceiptMismatchException(string message) : Exception(message);
