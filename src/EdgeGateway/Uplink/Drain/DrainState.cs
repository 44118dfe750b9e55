namespace EdgeGateway.Uplink.Drain;

/// <summary>Where the drain scheduler is, as decided by its last step (<see cref="DrainScheduler.State"/>).</summary>
internal enum DrainState
{
    /// <summary>Nothing more to lease: parked until the outbox signals (or an ack deadline).</summary>
    Idle,

    /// <summary>Window and pacing have room and the outbox may have more: leasing and sending.</summary>
    Draining,

    /// <summary>The window is full (or acknowledged messages wait to be deleted): parked until acks; urgent messages still go.</summary>
    WindowFull,

    /// <summary>The pacing bucket is empty: parked until it refills; urgent messages still go.</summary>
    Paced,

    /// <summary>
    /// The outbox keeps signalling but a lease comes back empty (a level-triggered wait that cannot be
    /// satisfied yet): leasing again after a growing gap instead of spinning.
    /// </summary>
    Quiet,
}
