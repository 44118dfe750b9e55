using System.Collections.Concurrent;
using System.Threading.Channels;

namespace EdgeGateway.Devices.InCarVideo;

/// <summary>
/// The in-process queue behind <see cref="ITriggerPublisher"/>: unbounded (triggers are rare and each one
/// matters), one reader (<see cref="TriggerEventWriter"/>). It also keeps which sources are on now, so a
/// recorder that starts late, or a status report, sees the current picture.
/// </summary>
internal sealed class TriggerBus : ITriggerPublisher
{
    private readonly Channel<TriggerSignal> _signals = Channel.CreateUnbounded<TriggerSignal>(new UnboundedChannelOptions { SingleReader = true });
    private readonly ConcurrentDictionary<string, TriggerSignal> _active = new(StringComparer.Ordinal);

    /// <summary>Signals waiting to be written.</summary>
    public ChannelReader<TriggerSignal> Reader => _signals.Reader;

    /// <summary>Sources whose latest signal was <see cref="TriggerState.On"/>.</summary>
    public IReadOnlyCollection<string> ActiveSources => _active.Keys.ToArray();

    /// <inheritdoc />
    public void Publish(TriggerSignal signal)
    {
        ArgumentNullException.ThrowIfNull(signal);
        ArgumentException.ThrowIfNullOrWhiteSpace(signal.Source);
        if (signal.State == TriggerState.On)
        {
            _active[signal.Source] = signal;
        }
        else if (signal.State == TriggerState.Off)
        {
            _active.TryRemove(signal.Source, out _);
        }

        _signals.Writer.TryWrite(signal);
    }
}
