using System.Text.Json;
using EdgeGateway.Contracts.V1;
using FleetControl.Store;
using Google.Protobuf;

namespace FleetControl.Api;

/// <summary>Store records to REST DTOs.</summary>
internal static class DtoMapper
{
    private static readonly JsonFormatter Formatter = new(JsonFormatter.Settings.Default.WithFormatDefaultValues(true));

    public static DeviceDto ToDto(DeviceRecord d) => ToDto(d, null);

    /// <summary>The device with its clock offset estimate (<see cref="Alerts.ClockOffsetTracker"/>) when given.</summary>
    public static DeviceDto ToDto(DeviceRecord d, Alerts.ClockOffsetTracker? clocks) => new()
    {
        DeviceId = d.DeviceId,
        Role = d.Role,
        SoftwareVersion = d.SoftwareVersion,
        Hostname = d.Hostname,
        Online = d.Online,
        LastSeen = d.LastSeen,
        RegisteredAt = d.RegisteredAt,
        EnvelopeCount = d.EnvelopeCount,
        PositionCount = d.PositionCount,
        LastPosition = d.LastPosition is { } p ? new LastPositionDto(p.Time, p.Latitude, p.Longitude, p.Altitude, p.Speed, p.Track, ModeName(p.Mode)) : null,
        Health = ToJson(d.Health),
        HealthAt = d.HealthAt,
        ClockOffsetSeconds = ClockOffset(d, clocks),
        ClockSuspect = clocks?.IsSuspect(d.DeviceId) ?? false,
    };

    private static double? ClockOffset(DeviceRecord d, Alerts.ClockOffsetTracker? clocks) =>
        clocks?.OffsetOf(d.DeviceId) is { } offset ? Math.Round(offset.TotalSeconds, 3) : null;

    public static DeviceDetailDto ToDetailDto(DeviceRecord d, IReadOnlyList<DataLossRecord> losses, IReadOnlyList<EventRecord> events, Alerts.ClockOffsetTracker? clocks = null)
    {
        var baseDto = ToDto(d, clocks);
        return new DeviceDetailDto
        {
            DeviceId = baseDto.DeviceId,
            Role = baseDto.Role,
            SoftwareVersion = baseDto.SoftwareVersion,
            Hostname = baseDto.Hostname,
            Online = baseDto.Online,
            LastSeen = baseDto.LastSeen,
            RegisteredAt = baseDto.RegisteredAt,
            EnvelopeCount = baseDto.EnvelopeCount,
            PositionCount = baseDto.PositionCount,
            LastPosition = baseDto.LastPosition,
            Health = baseDto.Health,
            HealthAt = baseDto.HealthAt,
            ClockOffsetSeconds = baseDto.ClockOffsetSeconds,
            ClockSuspect = baseDto.ClockSuspect,
            Dock = ToJson(d.Dock),
            DockAt = d.DockAt,
            DataLoss = losses.Select(l => new DataLossDto(
                l.MessageId,
                l.CapturedAt,
                l.Report.Priority.ToString(),
                l.Report.Reason,
                l.Report.Count,
                l.Report.Stream,
                l.Report.FirstCapturedAt?.ToDateTimeOffset(),
                l.Report.LastCapturedAt?.ToDateTimeOffset())).ToList(),
            Events = events.Select(e => new EventDto(e.MessageId, e.Stream, e.CapturedAt, e.Type, e.Detail, e.Attributes)).ToList(),
        };
    }

    public static PositionDto ToDto(PositionRecord p) =>
        new(p.MessageId, p.Sequence, p.Time, p.Latitude, p.Longitude, p.Altitude, p.Speed, p.Track, ModeName(p.Mode));

    public static string ModeName(FixMode mode) => mode switch
    {
        FixMode.NoFix => "NoFix",
        FixMode._2D => "2D",
        FixMode._3D => "3D",
        _ => "Unspecified",
    };

    private static JsonElement? ToJson(IMessage? message) =>
        message is null ? null : JsonDocument.Parse(Formatter.Format(message)).RootElement.Clone();
}
