using EdgeGateway.Commands;
using EdgeGateway.Contracts.V1;

namespace EdgeGateway.Devices.Anpr.Hotlists;

/// <summary>
/// Runs FleetControl's <c>HotlistUpdate</c> commands. Every result carries <c>hotlistVersion</c> (the version
/// the vehicle holds afterwards); a gap fails with <c>gap=true</c>, which FleetControl answers with a snapshot.
/// </summary>
internal sealed class HotlistUpdateHandler(HotlistHolder holder) : ICommandHandler
{
    public Command.BodyOneofCase Kind => Command.BodyOneofCase.HotlistUpdate;

    public Task<CommandHandlerResult> HandleAsync(Command command, CancellationToken cancellationToken)
    {
        var update = command.HotlistUpdate;
        var outcome = holder.Apply(update);
        var details = new Dictionary<string, string>
        {
            ["hotlistVersion"] = holder.Current.Version.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["entries"] = holder.Current.Count.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["outcome"] = outcome.ToString(),
        };
        return Task.FromResult(outcome == HotlistApplyOutcome.Gap
            ? new CommandHandlerResult(false, $"gap: the vehicle holds version {holder.Current.Version}, the delta is from {update.BaseVersion}", details)
            : CommandHandlerResult.Success(details));
    }
}
