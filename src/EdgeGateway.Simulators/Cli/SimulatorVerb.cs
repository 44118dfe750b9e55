using EdgeGateway.Cli;

namespace EdgeGateway.Simulators.Cli;

/// <summary>
/// One entry of the simulators' command table as a verb of the shared command line: the command keeps its
/// own strict parser (<see cref="CliArguments"/>) and usage text; the shell adds <c>--help</c>, <c>--version</c>
/// and the shared error format.
/// </summary>
internal sealed class SimulatorVerb(SimulatorCommand command) : CliVerb
{
    public override string Path => command.Name;

    public override string Description => command.Summary;

    public override string OwnUsage => command.Usage;

    public override async Task<int> RunAsync(CliCall call, CancellationToken cancellationToken)
    {
        try
        {
            return await command.Handler(call.Arguments, call.Output, cancellationToken).ConfigureAwait(false);
        }
        catch (CliUsageException e)
        {
            await call.Error.WriteLineAsync($"EdgeGateway.Simulators: error: {e.Message}").ConfigureAwait(false);
            await call.Error.WriteLineAsync(command.Usage).ConfigureAwait(false);
            return CliExit.Usage;
        }
        catch (CliFailureException e)
        {
            await call.Error.WriteLineAsync($"EdgeGateway.Simulators: error: {e.Message}").ConfigureAwait(false);
            return CliExit.Failure;
        }
    }
}
