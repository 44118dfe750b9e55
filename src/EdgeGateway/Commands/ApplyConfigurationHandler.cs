using System.Globalization;
using EdgeGateway.Contracts.V1;
using Microsoft.Extensions.Hosting;

namespace EdgeGateway.Commands;

/// <summary>
/// apply-configuration: validates and writes the desired configuration (<see cref="ConfigurationApplier"/>).
/// A rejection fails the command with every validator's message and keeps the running version; an
/// accepted configuration that changes start-up-only sections is followed by a clean restart.
/// </summary>
internal sealed class ApplyConfigurationHandler(ConfigurationApplier applier, IHostApplicationLifetime lifetime) : ICommandHandler
{
    public Command.BodyOneofCase Kind => Command.BodyOneofCase.ApplyConfiguration;

    public async Task<CommandHandlerResult> HandleAsync(Command command, CancellationToken cancellationToken)
    {
        var body = command.ApplyConfiguration;
        var result = await applier.ApplyAsync(body.Version, body.Json, cancellationToken).ConfigureAwait(false);
        if (!result.Applied)
        {
            return CommandHandlerResult.Failure(
                $"{result.Reason}; rolled back: version {result.RunningVersion.ToString(CultureInfo.InvariantCulture)} stays in effect");
        }

        var details = new Dictionary<string, string>
        {
            ["version"] = result.RunningVersion.ToString(CultureInfo.InvariantCulture),
            ["restart"] = result.RestartRequired ? "clean restart after this answer" : "not needed",
        };
        return CommandHandlerResult.Success(details, result.RestartRequired ? lifetime.StopApplication : null);
    }
}
