using EdgeGateway.Contracts.V1;
using EdgeGateway.Core;
using EdgeGateway.Devices.Anpr.Hotlists;
using Google.Protobuf.WellKnownTypes;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace EdgeGateway.Devices.Anpr;

/// <summary>
/// Tells FleetControl which hotlist version the vehicle holds: an <c>anpr.hotlist</c> Event (attribute
/// <c>version</c>) at start-up and after every swap. FleetControl answers with the deltas the vehicle missed, or
/// a snapshot when there is a gap; through the outbox, so a vehicle that starts out of coverage reports
/// as soon as it is back.
/// </summary>
internal sealed class AnprHotlistReporter(HotlistHolder holder, IObservationSink sink, TimeProvider time, ILogger<AnprHotlistReporter> logger) : BackgroundService
{
    /// <summary>Event type of the report.</summary>
    public const string EventType = "anpr.hotlist";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var swapped = System.Threading.Channels.Channel.CreateUnbounded<Hotlist>(new() { SingleReader = true });
        holder.Swapped += list => swapped.Writer.TryWrite(list);
        var current = holder.Current;
        Log.HotlistSwapped(logger, current.Version, current.Count, current.Rejected);
        await ReportAsync(current, stoppingToken).ConfigureAwait(false);
        try
        {
            while (await swapped.Reader.WaitToReadAsync(stoppingToken).ConfigureAwait(false))
            {
                Hotlist? latest = null;
                while (swapped.Reader.TryRead(out var list))
                {
                    latest = list;
                }

                Log.HotlistSwapped(logger, latest!.Version, latest.Count, latest.Rejected);
                await ReportAsync(latest, stoppingToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task ReportAsync(Hotlist list, CancellationToken cancellationToken)
    {
        var envelope = new Envelope
        {
            Stream = "anpr-status",
            Priority = PriorityClass.Event,
            CapturedAt = Timestamp.FromDateTimeOffset(time.GetUtcNow()),
            Event = new DeviceEvent { Type = EventType, Detail = $"hotlist version {list.Version}, {list.Count} entries" },
        };
        envelope.Event.Attributes["version"] = list.Version.ToString(System.Globalization.CultureInfo.InvariantCulture);
        envelope.Event.Attributes["entries"] = list.Count.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var result = await sink.AcceptAsync(envelope, cancellationToken).ConfigureAwait(false);
        if (result != EnqueueResult.Accepted)
        {
            Log.Refused(logger, EventType, result);
        }
    }
}
