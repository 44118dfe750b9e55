using System.Text.Json;

namespace FleetControl.Api;

/// <summary>One device in GET /api/devices.</summary>
internal class DeviceDto
{
    public required string DeviceId { get; init; }
    public required string Role { get; init; }
    public required string SoftwareVersion { get; init; }
    public required string Hostname { get; init; }
    public required bool Online { get; init; }
    public required DateTimeOffset? LastSeen { get; init; }
    public required DateTimeOffset? RegisteredAt { get; init; }
    public required long EnvelopeCount { get; init; }
    public required long PositionCount { get; init; }
    public required LastPositionDto? LastPosition { get; init; }

    /// <summary>The latest HealthReport in protobuf's JSON mapping (camelCase field names), or null.</summary>
    public required JsonElement? Health { get; init; }

    public required DateTimeOffset? HealthAt { get; init; }

    /// <summary>The device's estimated clock offset in seconds (positive: ahead of FleetControl), or null before any message with its time.</summary>
    public double? ClockOffsetSeconds { get; init; }

    /// <summary>True when |<see cref="ClockOffsetSeconds"/>| is above <c>Alerts:ClockOffsetThreshold</c>.</summary>
    public bool ClockSuspect { get; init; }
}
