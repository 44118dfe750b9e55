namespace EdgeGateway.Simulators.Cli;

/// <summary>A command line that cannot be run as written; the message says what to fix.</summary>
internal sealed class CliUsageException(string message) : Exception(message);
