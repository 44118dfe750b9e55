namespace EdgeGateway.Simulators.Cli;

/// <summary>
/// Runs one simulator command. <paramref name="args"/> are the arguments after the command name;
/// machine-readable lines (READY, STATS, DONE) go to <paramref name="output"/>; logs go to stderr.
/// Throw <see cref="CliUsageException"/> for a bad command line. Returns the process exit code.
/// </summary>
internal delegate Task<int> CommandHandler(IReadOnlyList<string> args, TextWriter output, CancellationToken cancellationToken);
