using EdgeGateway.Contracts.V1;
using EdgeGateway.Outbox;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;

namespace EdgeGateway.Tests.Uplink;

/// <summary>Builds stamped envelopes as the outbox would hold them.</summary>
internal static class TestEnvelopes
{
    private static long _sequence;

    public static OutboxMessage Message(
        string deviceId,
        PriorityClass priority = PriorityClass.Telemetry,
        string stream = "gnss",
        DateTimeOffset? expiresAt = null,
        string? id = null)
    {
        var sequence = (ulong)Interlocked.Increment(ref _sequence);
        var expires = expiresAt ?? TimeProvider.System.GetUtcNow().AddHours(1);
        var envelope = new Envelope
        {
            MessageId = id ?? Guid.CreateVersion7().ToString(),
            DeviceId = deviceId,
            Stream = stream,
            Sequence = sequence,
            CapturedAt = Timestamp.FromDateTimeOffset(TimeProvider.System.GetUtcNow()),
            TimeSource = TimeSource.Gnss,
            Priority = priority,
            ExpiresAt = Timestamp.FromDateTimeOffset(expires),
            Position = new Position { Latitude = 51.5 + (sequence % 100 / 1000.0), Longitude = -0.12, Mode = FixMode._3D, SatellitesUsed = 9 },
        };
        return new OutboxMessage(envelope.MessageId, priority, stream, expires, envelope.ToByteArray());
    }

    public static List<OutboxMessage> Fill(InMemoryOutbox outbox, string deviceId, int count, PriorityClass priority = PriorityClass.Telemetry, string stream = "gnss")
    {
        var messages = new List<OutboxMessage>(count);
        for (var i = 0; i < count; i++)
        {
            var message = Message(deviceId, priority, stream);
            outbox.Add(message);
            messages.Add(message);
        }

        return messages;
    }
}
