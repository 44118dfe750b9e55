using EdgeGateway.Contracts.V1;

namespace EdgeGateway.Commands;

/// <summary>
/// Runs one kind of command on the gateway. Adding a command is one class implementing this, registered in
/// <see cref="CommandRegistration"/>. A handler runs at most once per command id (the
/// <see cref="CommandDispatcher"/> remembers completed ids), so it need not be idempotent itself.
/// </summary>
internal interface ICommandHandler
{
    /// <summary>The command body this handler runs.</summary>
    Command.BodyOneofCase Kind { get; }

    /// <summary>Runs the command. Throwing is a failure whose reason is the exception's message.</summary>
    Task<CommandHandlerResult> HandleAsync(Command command, CancellationToken cancellationToken);
}
