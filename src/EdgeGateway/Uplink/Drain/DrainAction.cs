namespace EdgeGateway.Uplink.Drain;

/// <summary>What <see cref="DrainScheduler.Next"/> asks the drain loop to do.</summary>
internal enum DrainAction
{
    /// <summary>Lease up to <see cref="DrainStep.Count"/> messages and send what comes back.</summary>
    Lease,

    /// <summary>Window or pacing full: lease one message; it is sent at once only if urgent, else held.</summary>
    Probe,

    /// <summary>Send <see cref="DrainStep.Messages"/>, leased earlier by a probe and held.</summary>
    SendHeld,

    /// <summary>The oldest sent batch has no acknowledgement within the ack timeout: return every lease and re-send.</summary>
    ReturnOverdue,

    /// <summary>Nothing in flight but leased messages that expired before sending: return the leases so the outbox drops and counts them.</summary>
    ReturnExpired,

    /// <summary>Nothing to do: park until <see cref="DrainStep.Due"/> (or a wake-up: ack, outbox signal, link loss).</summary>
    Wait,
}
