using System.Text.Json;

namespace FleetControl.Api;

/// <summary>GET /api/devices/{id}: the list entry plus the dock status, data-loss reports and recent events.</summary>
internal sealed class DeviceDetailDto : DeviceDto
{
    /// <summary>The latest DockStatus (bays and transfers) in protobuf's JSON mapping, or null.</summary>
    public required JsonElement? Dock { get; init; }

    public required DateTimeOffset? DockAt { get; init; }

    public required IReadOnlyList<DataLossDto> DataLoss { get; init; }

    public required IReadOnlyList<EventDto> Events { get; init; }
}
