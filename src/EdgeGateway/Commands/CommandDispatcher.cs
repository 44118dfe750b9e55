using EdgeGateway.Contracts.V1;
using Google.Protobuf.WellKnownTypes;
using Microsoft.Extensions.Logging;

namespace EdgeGateway.Commands;

/// <summary>
/// Runs commands received from FleetControl. The MQTT session subscribes to
/// <c>Topics.CommandsFilter(deviceId)</c>, publishes <see cref="Accepted"/> on
/// <c>Topics.CommandResult</c> as soon as a command arrives, then <see cref="HandleAsync"/>'s result.
/// Each id runs at most once: a completed id is answered from the <see cref="CompletedCommandLog"/>, and a
/// second delivery while the first still runs joins it.
/// </summary>
internal sealed class CommandDispatcher
{
    private readonly Dictionary<Command.BodyOneofCase, ICommandHandler> _handlers;
    private readonly CompletedCommandLog _completed;
    private readonly TimeProvider _time;
    private readonly ILogger<CommandDispatcher> _logger;
    private readonly Lock _lock = new();
    private readonly Dictionary<string, Task<CommandResult>> _running = new(StringComparer.Ordinal);

    public CommandDispatcher(IEnumerable<ICommandHandler> handlers, CompletedCommandLog completed, TimeProvider time, ILogger<CommandDispatcher> logger)
    {
        _handlers = handlers.ToDictionary(h => h.Kind);
        _completed = completed;
        _time = time;
        _logger = logger;
    }

    /// <summary>The configuration version to report in results (set by the configuration handler).</summary>
    internal Func<long> ReportedConfigurationVersion { get; set; } = () => 0;

    /// <summary>The interim answer to publish when a command arrives.</summary>
    public CommandResult Accepted(Command command) => NewResult(command, CommandOutcome.Accepted, string.Empty);

    /// <summary>Runs <paramref name="command"/> (once per id) and returns its final result, already durably recorded.</summary>
    public Task<CommandResult> HandleAsync(Command command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        if (command.CommandId.Length is 0 or > 64 || !command.CommandId.All(c => char.IsAsciiLetterOrDigit(c) || c == '-'))
        {
            // Not recordable, so not runnable; the answer still names what was wrong.
            return Task.FromResult(NewResult(command, CommandOutcome.Failed, "invalid command id"));
        }

        lock (_lock)
        {
            if (_running.TryGetValue(command.CommandId, out var inFlight))
            {
                return inFlight;
            }

            var task = RunAsync(command, cancellationToken);
            if (!task.IsCompleted)
            {
                _running[command.CommandId] = task; // removed by RunAsync when it ends
            }

            return task;
        }
    }

    private async Task<CommandResult> RunAsync(Command command, CancellationToken cancellationToken)
    {
        try
        {
            if (_completed.Find(command.CommandId) is { } stored)
            {
                Log.Repeated(_logger, command.CommandId);
                return stored;
            }

            CommandResult result;
            Action? afterRecorded = null;
            if (command.ExpiresAt is { } expires && expires.ToDateTimeOffset() <= _time.GetUtcNow())
            {
                result = NewResult(command, CommandOutcome.Expired, "received after its expiry; not run");
            }
            else if (!_handlers.TryGetValue(command.BodyCase, out var handler))
            {
                result = NewResult(command, CommandOutcome.Failed, $"this gateway does not support '{command.BodyCase}' commands");
            }
            else
            {
                CommandHandlerResult outcome;
                try
                {
                    outcome = await handler.HandleAsync(command, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
                {
                    outcome = CommandHandlerResult.Failure($"{ex.GetType().Name}: {ex.Message}");
                }

                result = NewResult(command, outcome.Succeeded ? CommandOutcome.Succeeded : CommandOutcome.Failed, outcome.Reason);
                foreach (var (key, value) in outcome.Details ?? new Dictionary<string, string>())
                {
                    result.Details[key] = value;
                }

                afterRecorded = outcome.AfterRecorded;
            }

            await _completed.RecordAsync(result, cancellationToken).ConfigureAwait(false);
            Log.Completed(_logger, command.CommandId, command.BodyCase, result.Outcome, result.Reason);
            afterRecorded?.Invoke();
            return result;
        }
        finally
        {
            lock (_lock)
            {
                _running.Remove(command.CommandId);
            }
        }
    }

    private CommandResult NewResult(Command command, CommandOutcome outcome, string reason) => new()
    {
        CommandId = command.CommandId,
        DeviceId = command.DeviceId,
        Outcome = outcome,
        Reason = reason,
        At = Timestamp.FromDateTimeOffset(_time.GetUtcNow()),
        ReportedConfigurationVersion = ReportedConfigurationVersion(),
    };
}
