using EdgeGateway.Contracts.V1;
using Google.Protobuf.WellKnownTypes;

namespace FleetControl.Tests.Infrastructure;

/// <summary>Builds envelopes the way a gateway would.</summary>
internal static class TestEnvelopes
{
    public static readonly DateTimeOffset BaseTime = new(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);

    public static Envelope Position(string deviceId, ulong sequence, double lat = 51.5, double lon = -0.12, string? messageId = null) => new()
    {
        MessageId = messageId ?? Guid.CreateVersion7().ToString(),
        DeviceId = deviceId,
        Stream = "gnss",
        Sequence = sequence,
        CapturedAt = Timestamp.FromDateTimeOffset(BaseTime.AddSeconds(sequence)),
        TimeSource = TimeSource.Gnss,
        Priority = PriorityClass.Telemetry,
        Position = new Position
        {
            FixTime = Timestamp.FromDateTimeOffset(BaseTime.AddSeconds(sequence)),
            Latitude = lat,
            Longitude = lon,
            AltitudeM = 35.5,
            SpeedMps = 12.5,
            TrackDeg = 90,
            Mode = FixMode._3D,
            SatellitesUsed = 9,
        },
    };

    public static Envelope Health(string deviceId, ulong sequence, string version = "1.2.3") => new()
    {
        MessageId = Guid.CreateVersion7().ToString(),
        DeviceId = deviceId,
        Stream = "health",
        Sequence = sequence,
        CapturedAt = Timestamp.FromDateTimeOffset(BaseTime.AddSeconds(sequence)),
        TimeSource = TimeSource.Ntp,
        Priority = PriorityClass.Telemetry,
        Health = new HealthReport
        {
            LinkState = LinkState.Connected,
            Durability = DurabilityState.Ok,
            AcceptedTotal = 42,
            SoftwareVersion = version,
            Counters = { ["gnss.rejected"] = 3 },
        },
    };

    public static Envelope DataLoss(string deviceId, ulong sequence) => new()
    {
        MessageId = Guid.CreateVersion7().ToString(),
        DeviceId = deviceId,
        Stream = "dataloss",
        Sequence = sequence,
        CapturedAt = Timestamp.FromDateTimeOffset(BaseTime.AddSeconds(sequence)),
        Priority = PriorityClass.Event,
        DataLoss = new DataLossReport { Priority = PriorityClass.Telemetry, Reason = "expired", Count = 7, Stream = "gnss" },
    };

    public static Envelope Dock(string deviceId, ulong sequence) => new()
    {
        MessageId = Guid.CreateVersion7().ToString(),
        DeviceId = deviceId,
        Stream = "dock",
        Sequence = sequence,
        CapturedAt = Timestamp.FromDateTimeOffset(BaseTime.AddSeconds(sequence)),
        Priority = PriorityClass.Event,
        DockStatus = new DockStatus
        {
            Bays =
            {
                new BayStatus
                {
                    Bay = 1, Docked = true, CameraSerial = "BWV-0001", BatteryPercent = 80,
                    Transfers = { new TransferStatus { RecordingId = "rec-1", State = "uploading", BytesDone = 10, BytesTotal = 100 } },
                },
            },
        },
    };

    public static Envelope Event(string deviceId, ulong sequence, string type = "recording_started") => new()
    {
        MessageId = Guid.CreateVersion7().ToString(),
        DeviceId = deviceId,
        Stream = "camera",
        Sequence = sequence,
        CapturedAt = Timestamp.FromDateTimeOffset(BaseTime.AddSeconds(sequence)),
        Priority = PriorityClass.Event,
        Event = new DeviceEvent { Type = type, Detail = "front camera", Attributes = { ["camera"] = "front" } },
    };

    public static EnvelopeBatch Batch(params Envelope[] envelopes)
    {
        var batch = new EnvelopeBatch();
        batch.Envelopes.AddRange(envelopes);
        return batch;
    }
}
