namespace EdgeGateway.Devices.InCarVideo;

/// <summary>Something that acts on triggers once they are on record (the recorder, group activation).</summary>
internal interface ITriggerListener
{
    /// <summary>Called once per signal, in publication order, after its event envelope was written.</summary>
    ValueTask OnTriggerAsync(TriggerSignal signal, CancellationToken cancellationToken);
}
