namespace EdgeGateway.Tests.Uplink;

/// <summary>The system clock shifted by a fixed offset (timers and timestamps stay real).</summary>
internal sealed class OffsetTimeProvider(TimeSpan offset) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => System.GetUtcNow() + offset;
}
