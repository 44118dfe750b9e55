namespace EdgeGateway.Simulators.Cli;

/// <summary>One entry of the CLI's command table.</summary>
/// <param name="Name">What the user types after the program name, e.g. <c>gps</c>.</param>
/// <param name="Summary">One line for the overall usage text.</param>
/// <param name="Usage">The command's full usage text (options, examples).</param>
/// <param name="Handler">Runs the command.</param>
internal sealed record SimulatorCommand(string Name, string Summary, string Usage, CommandHandler Handler);
