using EdgeGateway.Contracts;
using EdgeGateway.Contracts.V1;
using EdgeGateway.Hosting;
using EdgeGateway.Uplink.Mqtt;
using Google.Protobuf;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EdgeGateway.Commands;

/// <summary>
/// Commands over the MQTT session: subscribed on <see cref="Topics.CommandsFilter"/>, each command is
/// answered on <see cref="Topics.CommandResult"/> first with <c>ACCEPTED</c>, then with the final result the
/// <see cref="CommandDispatcher"/> recorded. The broker gets its PUBACK only after the final result is
/// published, so a command cut short by a lost link or a killed process is redelivered; the dispatcher's
/// log makes sure that redelivery does not run it a second time.
/// </summary>
internal sealed class MqttCommandChannel(CommandDispatcher dispatcher, IOptions<GatewayOptions> gateway, ILogger<MqttCommandChannel> logger) : IMqttDownlink
{
    private readonly string _deviceId = gateway.Value.DeviceId;
    private readonly string _prefix = Topics.DevicePrefix(gateway.Value.DeviceId) + "/commands/";

    public string TopicFilter => Topics.CommandsFilter(_deviceId);

    public bool Matches(string topic) => topic.StartsWith(_prefix, StringComparison.Ordinal) && topic.IndexOf('/', _prefix.Length) < 0;

    public async Task HandleAsync(string topic, ReadOnlyMemory<byte> payload, Func<string, byte[], CancellationToken, Task> publish, CancellationToken cancellationToken)
    {
        Command command;
        try
        {
            command = Command.Parser.ParseFrom(payload.Span);
        }
        catch (InvalidProtocolBufferException exception)
        {
            // Redelivery cannot make it readable: acknowledge it, answering under the topic's id.
            Log.MalformedCommand(logger, topic, exception.Message);
            command = new Command { CommandId = topic[_prefix.Length..], DeviceId = _deviceId };
            await PublishAsync(Rejected(command, "unreadable command: " + exception.Message), publish, cancellationToken).ConfigureAwait(false);
            return;
        }

        var topicId = topic[_prefix.Length..];
        if (!string.Equals(command.CommandId, topicId, StringComparison.Ordinal) || !string.Equals(command.DeviceId, _deviceId, StringComparison.Ordinal))
        {
            Log.MisaddressedCommand(logger, topic, command.CommandId, command.DeviceId);
            command = new Command { CommandId = topicId, DeviceId = _deviceId };
            await PublishAsync(Rejected(command, "the command's id or device does not match its topic; not run"), publish, cancellationToken).ConfigureAwait(false);
            return;
        }

        await PublishAsync(dispatcher.Accepted(command), publish, cancellationToken).ConfigureAwait(false);
        var result = await dispatcher.HandleAsync(command, cancellationToken).ConfigureAwait(false);
        await PublishAsync(result, publish, cancellationToken).ConfigureAwait(false);
    }

    private CommandResult Rejected(Command command, string reason)
    {
        var result = dispatcher.Accepted(command);
        result.Outcome = CommandOutcome.Failed;
        result.Reason = reason;
        return result;
    }

    private Task PublishAsync(CommandResult result, Func<string, byte[], CancellationToken, Task> publish, CancellationToken cancellationToken) =>
        publish(Topics.CommandResult(_deviceId, result.CommandId), result.ToByteArray(), cancellationToken);
}
