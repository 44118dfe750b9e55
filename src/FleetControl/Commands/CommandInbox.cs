using System.Threading.Channels;
using EdgeGateway.Contracts.V1;

namespace FleetControl.Commands;

/// <summary>
/// What the MQTT client hands to the <see cref="CommandService"/> without waiting for it: devices that came
/// online and command results. Unbounded but tiny (one item per status change or result).
/// </summary>
internal sealed class CommandInbox
{
    private readonly Channel<object> _channel = Channel.CreateUnbounded<object>(new UnboundedChannelOptions { SingleReader = true });

    internal ChannelReader<object> Reader => _channel.Reader;

    /// <summary>The device published an online status.</summary>
    public void DeviceOnline(string deviceId) => _channel.Writer.TryWrite(new DeviceCameOnline(deviceId));

    /// <summary>A device answered a command (the topic's device id has been checked against the result's).</summary>
    public void Result(CommandResult result) => _channel.Writer.TryWrite(result);

    /// <summary>Makes the service re-read the next expiry (a new command may expire sooner).</summary>
    public void Wake() => _channel.Writer.TryWrite(Nudge.Instance);

    internal sealed record DeviceCameOnline(string DeviceId);

    internal sealed class Nudge
    {
        public static readonly Nudge Instance = new();
    }
}
