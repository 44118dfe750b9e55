using EdgeGateway.Commands;
using EdgeGateway.Contracts.V1;

namespace EdgeGateway.Devices.InCarVideo;

/// <summary>
/// start-recording from FleetControl: an operator starts recording on this vehicle as the officer's button would,
/// an <see cref="TriggerSources.Operator"/> pulse through <see cref="ITriggerPublisher"/>, so every camera of the
/// vehicle's group records (with the pre-event buffer) and the command id is in each clip's custody.
/// </summary>
internal sealed class StartRecordingHandler(ITriggerPublisher publisher, TimeProvider time) : ICommandHandler
{
    public Command.BodyOneofCase Kind => Command.BodyOneofCase.StartRecording;

    public Task<CommandHandlerResult> HandleAsync(Command command, CancellationToken cancellationToken)
    {
        var reason = string.IsNullOrWhiteSpace(command.StartRecording.Reason) ? "no reason given" : command.StartRecording.Reason;
        var at = time.GetUtcNow();
        publisher.Publish(new TriggerSignal(TriggerSources.Operator, TriggerState.Pulse, at,
            $"FleetControl command {command.CommandId}: {reason}",
            new Dictionary<string, string> { ["command_id"] = command.CommandId, ["reason"] = reason }));
        return Task.FromResult(CommandHandlerResult.Success(new Dictionary<string, string>
        {
            ["trigger"] = TriggerSources.Operator,
            ["at"] = at.ToString("O", System.Globalization.CultureInfo.InvariantCulture),
        }));
    }
}
