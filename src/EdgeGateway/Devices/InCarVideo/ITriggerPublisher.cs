namespace EdgeGateway.Devices.InCarVideo;

/// <summary>
/// The seam every trigger goes through: the gateway's own inputs and sensors, and other adapters (an ANPR
/// hotlist hit, a radio emergency). Each published signal becomes one Event-class envelope on stream
/// <see cref="TriggerEventWriter.Stream"/> and is handed to whatever records on triggers.
/// </summary>
public interface ITriggerPublisher
{
    /// <summary>Queues <paramref name="signal"/>; never blocks and never throws for a valid signal.</summary>
    void Publish(TriggerSignal signal);
}
