using EdgeGateway.Contracts.V1;

namespace FleetControl.Store;

/// <summary>What FleetControl knows about one device.</summary>
internal sealed record DeviceRecord
{
    public required string DeviceId { get; init; }
    public string Role { get; init; } = string.Empty;
    public string SoftwareVersion { get; init; } = string.Empty;
    public string Hostname { get; init; } = string.Empty;
    public IReadOnlyList<string> Capabilities { get; init; } = [];
    public DateTimeOffset? RegisteredAt { get; init; }
    public bool Online { get; init; }
    public DateTimeOffset? LastSeen { get; init; }
    public long EnvelopeCount { get; init; }
    public long PositionCount { get; init; }
    public PositionRecord? LastPosition { get; init; }
    public HealthReport? Health { get; init; }
    public DateTimeOffset? HealthAt { get; init; }
    public DockStatus? Dock { get; init; }
    public DateTimeOffset? DockAt { get; init; }
}
