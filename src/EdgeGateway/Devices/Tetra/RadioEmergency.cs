namespace EdgeGateway.Devices.Tetra;

/// <summary>The radio's emergency button was pressed (an emergency status from the terminal).</summary>
/// <param name="Source">Which radio saw it (<c>tetra</c>).</param>
/// <param name="Identity">The ISSI that sent the emergency status (the vehicle's own terminal, or another unit).</param>
/// <param name="StatusValue">The pre-coded status value.</param>
/// <param name="At">When the gateway saw it.</param>
/// <param name="MessageId">The id of the Emergency envelope stored for it, or null if the outbox refused it.</param>
internal sealed record RadioEmergency(string Source, string Identity, int StatusValue, DateTimeOffset At, string? MessageId);
