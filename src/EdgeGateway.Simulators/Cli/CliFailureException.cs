namespace EdgeGateway.Simulators.Cli;

/// <summary>
/// A command that cannot go ahead for a reason outside its command line (a folder in use, a port taken).
/// The message is printed as one line, without usage text or a stack trace; the exit code is 1.
/// </summary>
internal sealed class CliFailureException(string message) : Exception(message);
