using EdgeGateway.Contracts.V1;
using FleetControl.Ingest;

namespace EdgeGateway.Benchmarks.Load;

/// <summary>
/// FleetControl's real ack publisher with the load harness listening in. Ingest calls it only after
/// the envelopes are durably committed, so the call is the "stored" moment.
/// </summary>
internal sealed class ObservingAckPublisher(IAckPublisher inner, AckObserver observer) : IAckPublisher
{
    public Task<bool> PublishAckAsync(string deviceId, DeliveryAck ack, CancellationToken cancellationToken)
    {
        observer.Stored(ack.MessageIds);
        return inner.PublishAckAsync(deviceId, ack, cancellationToken);
    }
}
