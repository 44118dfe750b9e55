using System.Globalization;
using EdgeGateway.Contracts.V1;
using EdgeGateway.Core;
using Google.Protobuf.WellKnownTypes;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace EdgeGateway.Devices.InCarVideo;

/// <summary>
/// Turns every published trigger into an Event-class <see cref="DeviceEvent"/> (type <see cref="EventType"/>,
/// stream <see cref="Stream"/>) through the gateway's one observation path, then hands it to the
/// <see cref="ITriggerListener"/>s (recording). The envelope is written first: the trigger is on record
/// even if what it starts fails.
/// </summary>
internal sealed class TriggerEventWriter(
    TriggerBus bus,
    IObservationSink sink,
    IEnumerable<ITriggerListener> listeners,
    InCarVideoCounters counters,
    ILogger<TriggerEventWriter> logger) : BackgroundService
{
    /// <summary>The stream trigger events travel on.</summary>
    public const string Stream = "video-trigger";

    /// <summary>The <see cref="DeviceEvent.Type"/> of a trigger event.</summary>
    public const string EventType = "video.trigger";

    private readonly ITriggerListener[] _listeners = listeners.ToArray();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var signal in bus.Reader.ReadAllAsync(stoppingToken).ConfigureAwait(false))
            {
                await WriteAsync(signal, stoppingToken).ConfigureAwait(false);
                foreach (var listener in _listeners)
                {
                    try
                    {
                        await listener.OnTriggerAsync(signal, stoppingToken).ConfigureAwait(false);
                    }
                    catch (Exception e) when (e is not OperationCanceledException)
                    {
                        Log.ListenerFailed(logger, signal.Source, listener.GetType().Name, e);
                    }
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>The envelope a signal becomes (also used by tests to check the mapping).</summary>
    internal static Envelope ToEnvelope(TriggerSignal signal)
    {
        var evt = new DeviceEvent
        {
            Type = EventType,
            Detail = string.Create(CultureInfo.InvariantCulture, $"{signal.Source} {signal.State.ToString().ToLowerInvariant()}: {signal.Detail}"),
        };
        evt.Attributes["source"] = signal.Source;
        evt.Attributes["state"] = signal.State.ToString().ToLowerInvariant();
        if (signal.Attributes is not null)
        {
            foreach (var (name, value) in signal.Attributes)
            {
                evt.Attributes[name] = value;
            }
        }

        return new Envelope
        {
            Stream = Stream,
            Priority = PriorityClass.Event,
            CapturedAt = Timestamp.FromDateTimeOffset(signal.At),
            TimeSource = TimeSource.Local,
            Event = evt,
        };
    }

    private async Task WriteAsync(TriggerSignal signal, CancellationToken cancellationToken)
    {
        var result = await sink.AcceptAsync(ToEnvelope(signal), cancellationToken).ConfigureAwait(false);
        counters.Triggered(signal.Source, result == EnqueueResult.Accepted);
        if (result == EnqueueResult.Accepted)
        {
            Log.Trigger(logger, signal.Source, signal.State, signal.Detail);
        }
        else
        {
            Log.TriggerRefused(logger, signal.Source, signal.State, result);
        }
    }
}
