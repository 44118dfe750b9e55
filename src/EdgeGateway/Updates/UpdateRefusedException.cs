namespace EdgeGateway.Updates;

/// <summary>An update package that must not be installed (bad digest, bad signature, unknown key, malformed); the message says why.</summary>
internal sealed class UpdateRefusedException(string message) : Exception(message);
