using System.Security.Cryptography;
using EdgeGateway.Contracts.V1;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;

namespace EdgeGateway.Tests.Uplink.Tetra;

/// <summary>Urgent envelopes of realistic size, as the ANPR processor and the alarms build them.</summary>
internal static class UrgentEnvelopes
{
    /// <summary>
    /// A hotlist hit as <c>AnprReadProcessor</c> stores it (two image references with their SHA-256, position,
    /// markers, a long reason), without the inline image bytes unless <paramref name="withImages"/>.
    /// </summary>
    public static Envelope Hit(string deviceId, bool withImages = false)
    {
        var now = DateTimeOffset.Parse("2026-12-01T10:15:30.123Z", System.Globalization.CultureInfo.InvariantCulture);
        var readId = Guid.CreateVersion7(now).ToString();
        var read = new AnprRead
        {
            ReadId = readId,
            Vrm = "AB12 CDE",
            NormalisedVrm = "AB12CDE",
            Confidence = 0.93f,
            Country = "GB",
            CameraId = "anpr-front-left",
            Lane = "approaching",
            CameraTime = Timestamp.FromDateTimeOffset(now.AddMilliseconds(-180)),
            ReceivedAt = Timestamp.FromDateTimeOffset(now),
            ReceivedTimeSource = "NTP",
            Latitude = 51.507351,
            Longitude = -0.127758,
            PositionAgeMs = 420,
        };
        var hit = new AnprHit
        {
            Read = read,
            EntryVrm = "AB12CDE",
            List = "PNC-stolen",
            Reason = "Stolen vehicle, occupants believed armed; do not approach, request armed response",
            Match = "exact",
            HotlistVersion = 1_764_583_200_123,
        };
        hit.Markers.Add(["firearms", "violence", "stolen"]);
        foreach (var kind in new[] { "plate", "overview" })
        {
            var bytes = RandomNumberGenerator.GetBytes(kind == "plate" ? 3_100 : 48_000);
            var sha = Convert.ToHexStringLower(SHA256.HashData(bytes));
            read.Images.Add(new AnprImageRef { Kind = kind, Sha256 = sha, Size = (ulong)bytes.Length });
            if (withImages)
            {
                hit.Images.Add(new AnprImage { ReadId = readId, Kind = kind, Sha256 = sha, ContentType = "image/jpeg", Data = ByteString.CopyFrom(bytes) });
            }
        }

        return new Envelope
        {
            MessageId = Guid.CreateVersion7(now).ToString(),
            DeviceId = deviceId,
            Stream = "anpr-hits",
            Sequence = 4711,
            CapturedAt = read.CameraTime,
            TimeSource = TimeSource.Local,
            Priority = PriorityClass.Alert,
            ExpiresAt = Timestamp.FromDateTimeOffset(now.AddHours(24)),
            AnprHit = hit,
        };
    }
}
