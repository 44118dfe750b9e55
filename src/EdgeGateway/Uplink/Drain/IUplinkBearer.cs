namespace EdgeGateway.Uplink.Drain;

/// <summary>
/// One connected link that carries batches to FleetControl (today MQTT; later e.g. a second radio).
/// The drain runs on a bearer for as long as it is connected (<see cref="DrainLoop.RunAsync"/>);
/// acknowledgements come back through <see cref="DrainLoop.Acknowledge"/>, whichever bearer carried them.
/// </summary>
internal interface IUplinkBearer
{
    /// <summary>
    /// Hands one batch to the link and returns once it is on its way (not when it is acknowledged).
    /// The bearer bounds its own pending sends (e.g. MQTT's receive maximum) by waiting here.
    /// A send that fails on a live link is the bearer's to report; the batch stays in the window and
    /// is re-sent after the ack timeout. While a backlog batch waits here for room, the drain may send an
    /// urgent batch (Emergency, Alert) alongside it: a bearer keeps room for those and must allow that one
    /// concurrent call.
    /// </summary>
    ValueTask SendAsync(PublishBatch batch, CancellationToken cancellationToken);

    /// <summary>The drain gave up waiting for acknowledgements on this link and returns every lease to re-send.</summary>
    void AcksOverdue(string reason);

    /// <summary>
    /// The drain is leaving this bearer: completes when every send it still waits on has been reported
    /// (acknowledged, declined or failed), or when <paramref name="cancellationToken"/> gives up.
    /// A bearer whose acknowledgements come separately (MQTT) has nothing to wait for.
    /// </summary>
    Task SettleAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
