using EdgeGateway.Contracts.V1;

namespace FleetControl.Ingest;

/// <summary>Publishes a DeliveryAck to a device (QoS 1) after its envelopes are stored.</summary>
internal interface IAckPublisher
{
    /// <summary>Returns false when the ack could not be published (the device will re-send; dedupe absorbs it).</summary>
    Task<bool> PublishAckAsync(string deviceId, DeliveryAck ack, CancellationToken cancellationToken);
}
