using System.Globalization;
using EdgeGateway.Contracts.V1;

namespace EdgeGateway.Commands;

/// <summary>ping: answers with the payload and the gateway's clock, proving the command path end to end.</summary>
internal sealed class PingHandler(TimeProvider time) : ICommandHandler
{
    public Command.BodyOneofCase Kind => Command.BodyOneofCase.Ping;

    public Task<CommandHandlerResult> HandleAsync(Command command, CancellationToken cancellationToken) =>
        Task.FromResult(CommandHandlerResult.Success(new Dictionary<string, string>
        {
            ["payload"] = command.Ping.Payload,
            ["deviceTime"] = time.GetUtcNow().ToString("O", CultureInfo.InvariantCulture),
        }));
}
