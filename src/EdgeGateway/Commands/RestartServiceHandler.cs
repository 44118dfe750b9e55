using EdgeGateway.Contracts.V1;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace EdgeGateway.Commands;

/// <summary>
/// restart-service: a clean stop (the outbox is closed normally, the last will says offline) after the
/// result is recorded; systemd (<c>Restart=always</c>) or run.sh starts the service again. The recorded
/// result is what the restarted gateway answers when FleetControl re-sends the command, so it restarts once.
/// </summary>
internal sealed class RestartServiceHandler(IHostApplicationLifetime lifetime, ILogger<RestartServiceHandler> logger) : ICommandHandler
{
    public Command.BodyOneofCase Kind => Command.BodyOneofCase.RestartService;

    public Task<CommandHandlerResult> HandleAsync(Command command, CancellationToken cancellationToken) =>
        Task.FromResult(CommandHandlerResult.Success(
            new Dictionary<string, string> { ["restart"] = "clean stop after this answer" },
            () =>
            {
                Log.Restarting(logger, command.CommandId, command.RestartService.Reason);
                lifetime.StopApplication();
            }));
}
