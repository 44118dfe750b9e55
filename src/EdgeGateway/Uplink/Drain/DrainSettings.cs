namespace EdgeGateway.Uplink.Drain;

/// <summary>
/// What the drain scheduler needs to know about limits, whatever bearer carries the messages.
/// The MQTT uplink fills it from its <c>Mqtt</c> options (see <c>MqttUplinkOptions.ToDrainSettings</c>).
/// </summary>
/// <param name="MaxInFlight">Most messages sent but not yet acknowledged (the window).</param>
/// <param name="MaxLease">Most messages taken from the outbox in one lease.</param>
/// <param name="MaxBatch">Most envelopes in one bearer message.</param>
/// <param name="MaxBatchBytes">Most payload bytes in one bearer message.</param>
/// <param name="MaxMessagesPerSecond">Pacing: token bucket over envelopes.</param>
/// <param name="AckTimeout">How long the oldest sent batch may wait for its acknowledgement before every lease is returned.</param>
/// <param name="MaxInFlightBytes">
/// Most envelope bytes sent but not yet acknowledged (give or take the last message sent): no backlog is leased or
/// sent while as many are in flight, and the part of a lease beyond the room waits, held. What is in
/// flight is queued ahead of an Emergency on the bearer's one ordered stream, so this bounds how long it waits there
/// (bytes / link rate) whatever the envelopes' sizes; <paramref name="MaxInFlight"/> alone let a window of large
/// envelopes grow to megabytes.
/// </param>
internal sealed record DrainSettings(
    int MaxInFlight,
    int MaxLease,
    int MaxBatch,
    int MaxBatchBytes,
    int MaxMessagesPerSecond,
    TimeSpan AckTimeout,
    long MaxInFlightBytes = long.MaxValue);
