using System.Threading.Channels;
using EdgeGateway.Contracts;
using EdgeGateway.Contracts.V1;
using FleetControl.Tests.Infrastructure;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using MQTTnet;
using MQTTnet.Protocol;

namespace FleetControl.Tests.Commands;

/// <summary>A real MQTT client playing a gateway's command side: announces itself online, receives commands, answers.</summary>
internal sealed class CommandDevice : IAsyncDisposable
{
    private readonly TestDevice _device;
    private readonly Channel<Command> _commands = Channel.CreateUnbounded<Command>();

    private CommandDevice(TestDevice device)
    {
        _device = device;
        device.Client.ApplicationMessageReceivedAsync += e =>
        {
            if (Topics.TryParse(e.ApplicationMessage.Topic, out _, out var rest) && rest.StartsWith("commands/", StringComparison.Ordinal))
            {
                _commands.Writer.TryWrite(Command.Parser.ParseFrom(e.ApplicationMessage.Payload));
            }

            return Task.CompletedTask;
        };
    }

    public string DeviceId => _device.DeviceId;

    /// <summary>Connects, subscribes to its commands and publishes a retained online status.</summary>
    public static async Task<CommandDevice> ConnectAsync(int port, string deviceId, string role = "Vehicle")
    {
        var device = new CommandDevice(await TestDevice.ConnectAsync(port, deviceId));
        var subscribe = new MqttClientSubscribeOptionsBuilder()
            .WithTopicFilter(f => f.WithTopic(Topics.CommandsFilter(deviceId)).WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce))
            .Build();
        var result = await device._device.Client.SubscribeAsync(subscribe, TestContext.Current.CancellationToken).WaitAsync(Eventually.DefaultTimeout);
        Assert.True(result.Items.All(i => i.ResultCode <= MqttClientSubscribeResultCode.GrantedQoS2), "the broker must let a device subscribe to its own commands");
        await device._device.PublishAsync(
            Topics.Status(deviceId),
            new DeviceStatus { Online = true, Role = role, SoftwareVersion = "1.0.0", At = Timestamp.FromDateTime(DateTime.UtcNow) }.ToByteArray(),
            retain: true);
        return device;
    }

    public async Task<Command> NextCommandAsync() =>
        await _commands.Reader.ReadAsync(TestContext.Current.CancellationToken).AsTask().WaitAsync(Eventually.DefaultTimeout);

    public bool TryGetCommand(out Command? command) => _commands.Reader.TryRead(out command);

    public Task AnswerAsync(Command command, CommandOutcome outcome, string reason = "", long reportedVersion = 0, IReadOnlyDictionary<string, string>? details = null)
    {
        var result = new CommandResult
        {
            CommandId = command.CommandId,
            DeviceId = DeviceId,
            Outcome = outcome,
            Reason = reason,
            At = Timestamp.FromDateTime(DateTime.UtcNow),
            ReportedConfigurationVersion = reportedVersion,
        };
        if (command.BodyCase == Command.BodyOneofCase.Ping)
        {
            result.Details["payload"] = command.Ping.Payload;
        }

        foreach (var (key, value) in details ?? new Dictionary<string, string>())
        {
            result.Details[key] = value;
        }

        return _device.PublishAsync(Topics.CommandResult(DeviceId, command.CommandId), result.ToByteArray());
    }

    /// <summary>Publishes envelopes as this device (e.g. a report alongside its commands).</summary>
    public Task PublishBatchAsync(params Envelope[] envelopes) => _device.PublishBatchAsync(envelopes);

    public ValueTask DisposeAsync() => _device.DisposeAsync();
}
