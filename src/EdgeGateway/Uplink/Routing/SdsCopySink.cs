using EdgeGateway.Contracts.Tetra;
using EdgeGateway.Contracts.V1;
using EdgeGateway.Core;
using EdgeGateway.Devices.Tetra;
using EdgeGateway.Uplink.Tetra;
using Microsoft.Extensions.Logging;
using Log = EdgeGateway.Devices.Tetra.Log;

namespace EdgeGateway.Uplink.Routing;

/// <summary>
/// "Every available bearer at once" for the classes routed <see cref="TetraRoute.Always"/> (Emergency by default):
/// sits in front of the observation sink, and once an envelope is stored (and so stamped) in the one outbox, and
/// while the IP link is up, also sends a copy at once as an envelope SDS to FleetControl's TETRA gateway. The
/// outbox copy still goes over MQTT and is acknowledged there; FleetControl stores whichever arrives first and
/// drops the other by message id. While the IP link is down the drain itself runs on TETRA (<c>Uplink/Tetra</c>),
/// so no copy is made then. One larger than an SDS goes in its compact form (<see cref="SdsCompactEnvelope"/>). A copy
/// that cannot go (too large even so, no terminal, refused) changes nothing: it is counted.
/// </summary>
internal sealed class SdsCopySink : IObservationSink, IAsyncDisposable
{
    private readonly IObservationSink _inner;
    private readonly Lazy<ITetraSds> _sds;
    private readonly BearerRoutingPolicy _policy;
    private readonly Func<bool> _ipLinkUp;
    private readonly string _dispatcher;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Lock _gate = new();
    private readonly HashSet<Task> _inFlight = [];
    private readonly TetraUplinkCounters _counters;

    public SdsCopySink(IObservationSink inner, Lazy<ITetraSds> sds, BearerRoutingPolicy policy, Func<bool> ipLinkUp, string dispatcher, TetraUplinkCounters counters, ILogger logger)
    {
        _counters = counters;
        _inner = inner;
        _sds = sds;
        _policy = policy;
        _ipLinkUp = ipLinkUp;
        _dispatcher = dispatcher;
        _logger = logger;
    }

    public async ValueTask<EnqueueResult> AcceptAsync(Envelope draft, CancellationToken cancellationToken)
    {
        var result = await _inner.AcceptAsync(draft, cancellationToken).ConfigureAwait(false);
        if (result == EnqueueResult.Accepted && _policy.CopyOverTetra(draft.Priority, _ipLinkUp(), _sds.Value.IsAvailable))
        {
            Track(SendAsync(draft.Clone()));
        }

        return result;
    }

    /// <summary>Stops waiting for reports and waits for the sends to end (the outbox copies are unaffected).</summary>
    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        Task[] pending;
        lock (_gate)
        {
            pending = [.. _inFlight];
        }

        await Task.WhenAll(pending).ConfigureAwait(false);
        _stopping.Dispose();
    }

    private async Task SendAsync(Envelope envelope)
    {
        try
        {
            var userData = SdsCompactEnvelope.TryEncodeForSds(envelope);
            var result = userData is null
                ? new SdsSendResult(SdsSendOutcome.TooLarge, 0, -1, $"{envelope.CalculateSize()} bytes, more than {SdsCompactEnvelope.MaxSegments} SDS even compact")
                : await EnvelopeSds.SendAsync(_sds.Value, _dispatcher, userData, urgent: envelope.Priority == PriorityClass.Emergency, _stopping.Token).ConfigureAwait(false);
            if (result.Outcome is SdsSendOutcome.Delivered or SdsSendOutcome.Sent or SdsSendOutcome.NoReport)
            {
                _counters.CopySent();
                Log.UrgentSent(_logger, envelope.MessageId, envelope.Priority, result.Outcome);
            }
            else
            {
                _counters.CopyNotSent();
                Log.UrgentNotSent(_logger, envelope.MessageId, result.Outcome, result.Detail);
            }
        }
        catch (OperationCanceledException)
        {
            // Shutting down: the outbox copy goes over IP.
        }
    }

    private void Track(Task task)
    {
        lock (_gate)
        {
            _inFlight.Add(task);
        }

        task.ContinueWith(
            (done, _) =>
            {
                lock (_gate)
                {
                    _inFlight.Remove(done);
                }
            },
            null,
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
    }
}
