using EdgeGateway.Contracts.Tetra;
using EdgeGateway.Contracts.V1;
using EdgeGateway.Core;
using EdgeGateway.Devices.Tetra;
using Log = EdgeGateway.Devices.Tetra.Log;
using Microsoft.Extensions.Logging;

namespace EdgeGateway.Uplink.Routing;

/// <summary>
/// Sits in front of the observation sink: every envelope is stored in the one outbox as before (the IP link
/// drains it through the drain scheduler), and an envelope whose class <see cref="BearerRoutingPolicy"/> sends
/// over TETRA is, once stored and stamped, also sent at once as an envelope SDS to FleetControl's TETRA
/// gateway (<see cref="TetraOptions.DispatcherIssi"/>), asking for an SDS-TL report. FleetControl reports
/// "consumed" only after it has stored the envelope, so that report acknowledges the outbox copy like a
/// DeliveryAck over MQTT; any copy that also arrives over MQTT is dropped by FleetControl's deduplication.
/// </summary>
internal sealed class SdsFanOutSink : IObservationSink, IAsyncDisposable
{
    /// <summary>SDS-TL delivery status "SDS consumed by destination": FleetControl's word that it stored the envelope.</summary>
    public const byte ConsumedStatus = 0x02;

    private readonly IObservationSink _inner;
    private readonly Lazy<ITetraSds> _sds;
    private readonly BearerRoutingPolicy _policy;
    private readonly Func<bool> _ipLinkUp;
    private readonly Action<IReadOnlyList<string>> _acknowledge;
    private readonly string _dispatcher;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Lock _gate = new();
    private readonly HashSet<Task> _inFlight = [];
    private long _sent;
    private long _stored;
    private long _notSent;

    public SdsFanOutSink(IObservationSink inner, Lazy<ITetraSds> sds, BearerRoutingPolicy policy, Func<bool> ipLinkUp, Action<IReadOnlyList<string>> acknowledge, string dispatcher, ILogger logger)
    {
        _inner = inner;
        _sds = sds;
        _policy = policy;
        _ipLinkUp = ipLinkUp;
        _acknowledge = acknowledge;
        _dispatcher = dispatcher;
        _logger = logger;
    }

    /// <summary>Envelopes handed to TETRA.</summary>
    public long Sent => Interlocked.Read(ref _sent);

    /// <summary>Envelopes FleetControl reported stored over TETRA (and so acknowledged in the outbox).</summary>
    public long StoredOverTetra => Interlocked.Read(ref _stored);

    /// <summary>Envelopes the policy chose for TETRA that did not go (too large, no terminal, refused); they still go over IP.</summary>
    public long NotSent => Interlocked.Read(ref _notSent);

    public async ValueTask<EnqueueResult> AcceptAsync(Envelope draft, CancellationToken cancellationToken)
    {
        var result = await _inner.AcceptAsync(draft, cancellationToken).ConfigureAwait(false);
        if (result == EnqueueResult.Accepted && _policy.UseTetra(draft.Priority, _ipLinkUp(), _sds.Value.IsAvailable))
        {
            Track(SendAsync(draft.Clone()));
        }

        return result;
    }

    /// <summary>Stops waiting for reports (the messages stay in the outbox) and waits for the sends to end.</summary>
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
            var userData = SdsEnvelope.TryEncodeUserData(envelope);
            SdsSendResult result = userData is null
                ? new SdsSendResult(SdsSendOutcome.TooLarge, 0, -1, $"{envelope.CalculateSize()} bytes > {SdsEnvelope.MaxEnvelopeBytes}")
                : await _sds.Value.SendAsync(_dispatcher, SdsEnvelope.Pid, userData, requestReport: true, urgent: envelope.Priority == PriorityClass.Emergency, _stopping.Token).ConfigureAwait(false);
            if (result.Outcome is SdsSendOutcome.Delivered or SdsSendOutcome.Sent or SdsSendOutcome.NoReport)
            {
                Interlocked.Increment(ref _sent);
                Log.UrgentSent(_logger, envelope.MessageId, envelope.Priority, result.Outcome);
                if (result.DeliveryStatus == ConsumedStatus)
                {
                    Interlocked.Increment(ref _stored);
                    _acknowledge([envelope.MessageId]);
                }
            }
            else
            {
                Interlocked.Increment(ref _notSent);
                Log.UrgentNotSent(_logger, envelope.MessageId, result.Outcome, result.Detail);
            }
        }
        catch (OperationCanceledException)
        {
            // Shutting down: the outbox copy goes over IP after the restart.
        }
    }

    private void Track(Task task)
    {
        lock (_gate)
        {
            _inFlight.Add(task);
        }

        task.ContinueWith(
            static (done, state) =>
            {
                var self = (SdsFanOutSink)state!;
                lock (self._gate)
                {
                    self._inFlight.Remove(done);
                }
            },
            this,
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
    }
}
