using System.Globalization;
using EdgeGateway.Contracts.V1;
using EdgeGateway.Evidence;

namespace EdgeGateway.Commands;

/// <summary>
/// rescan-bays (docks): lists every bay afresh, ignoring the scanner's caches, and retries at once any
/// recording waiting out a failure backoff. Answers with what the scan found.
/// </summary>
internal sealed class RescanBaysHandler(OffloadService offload) : ICommandHandler
{
    public Command.BodyOneofCase Kind => Command.BodyOneofCase.RescanBays;

    public async Task<CommandHandlerResult> HandleAsync(Command command, CancellationToken cancellationToken)
    {
        var found = await offload.RescanAsync(cancellationToken).ConfigureAwait(false);
        return CommandHandlerResult.Success(new Dictionary<string, string>
        {
            ["docked"] = found.Docked.ToString(CultureInfo.InvariantCulture),
            ["recordings"] = found.Recordings.ToString(CultureInfo.InvariantCulture),
            ["pending"] = found.Pending.ToString(CultureInfo.InvariantCulture),
            ["unaccepted"] = found.Unaccepted.ToString(CultureInfo.InvariantCulture),
            ["retried"] = found.Retried.ToString(CultureInfo.InvariantCulture),
        });
    }
}
