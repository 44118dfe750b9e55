using System.Security.Cryptography;
using EdgeGateway.Contracts.V1;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;

namespace FleetControl.Tests.Anpr;

/// <summary>ANPR envelopes as a vehicle sends them.</summary>
internal static class AnprEnvelopes
{
    public static (Envelope Read, Envelope[] Images) Read(string deviceId, ulong sequence, string vrm, DateTimeOffset cameraTime, double lat, double lon, byte[]? corruptPlate = null)
    {
        var readId = Guid.CreateVersion7(cameraTime).ToString();
        var plate = Bytes(sequence, 300);
        var overview = Bytes(sequence + 1000, 500);
        var read = new AnprRead
        {
            ReadId = readId,
            Vrm = vrm,
            NormalisedVrm = vrm.Replace(" ", string.Empty, StringComparison.Ordinal).ToUpperInvariant(),
            Confidence = 0.9f,
            Country = "GB",
            CameraId = "cam-front",
            Lane = "1",
            CameraTime = Timestamp.FromDateTimeOffset(cameraTime),
            ReceivedAt = Timestamp.FromDateTimeOffset(cameraTime.AddMilliseconds(40)),
            ReceivedTimeSource = "NTP",
            Latitude = lat,
            Longitude = lon,
            PositionAgeMs = 120,
        };
        read.Images.Add(new AnprImageRef { Kind = "plate", Sha256 = Sha(plate), Size = (ulong)plate.Length });
        read.Images.Add(new AnprImageRef { Kind = "overview", Sha256 = Sha(overview), Size = (ulong)overview.Length });
        var images = new[]
        {
            Wrap(deviceId, 100_000 + sequence, "anpr-images", PriorityClass.Bulk, cameraTime, e => e.AnprImage = new AnprImage { ReadId = readId, Kind = "plate", Sha256 = Sha(plate), Data = ByteString.CopyFrom(corruptPlate ?? plate) }),
            Wrap(deviceId, 200_000 + sequence, "anpr-images", PriorityClass.Bulk, cameraTime, e => e.AnprImage = new AnprImage { ReadId = readId, Kind = "overview", Sha256 = Sha(overview), Data = ByteString.CopyFrom(overview) }),
        };
        return (Wrap(deviceId, sequence, "anpr", PriorityClass.Read, cameraTime, e => e.AnprRead = read), images);
    }

    /// <summary>A hotlist hit as a vehicle reports it: the read, the entry it matched and the read's images inside.</summary>
    public static Envelope Hit(string deviceId, ulong sequence, string vrm, DateTimeOffset cameraTime, double lat, double lon, string list = "stolen")
    {
        var (read, images) = Read(deviceId, sequence, vrm, cameraTime, lat, lon);
        var hit = new AnprHit
        {
            Read = read.AnprRead,
            EntryVrm = read.AnprRead.NormalisedVrm,
            List = list,
            Reason = "Stolen vehicle",
            Match = "exact",
            HotlistVersion = 1,
        };
        hit.Images.AddRange(images.Select(i => i.AnprImage));
        return Wrap(deviceId, sequence, "anpr", PriorityClass.Event, cameraTime, e => e.AnprHit = hit);
    }

    public static Envelope HotlistReport(string deviceId, ulong sequence, long version) => Wrap(deviceId, sequence, "anpr-status", PriorityClass.Event, DateTimeOffset.UtcNow, e =>
    {
        e.Event = new DeviceEvent { Type = "anpr.hotlist", Detail = $"version {version}" };
        e.Event.Attributes["version"] = version.ToString(System.Globalization.CultureInfo.InvariantCulture);
    });

    private static Envelope Wrap(string deviceId, ulong sequence, string stream, PriorityClass priority, DateTimeOffset captured, Action<Envelope> body)
    {
        var envelope = new Envelope
        {
            MessageId = Guid.CreateVersion7().ToString(),
            DeviceId = deviceId,
            Stream = stream,
            Sequence = sequence,
            CapturedAt = Timestamp.FromDateTimeOffset(captured),
            Priority = priority,
        };
        body(envelope);
        return envelope;
    }

    private static byte[] Bytes(ulong seed, int size)
    {
        var bytes = new byte[size];
        new Random((int)seed).NextBytes(bytes);
        bytes[0] = 0xFF;
        bytes[1] = 0xD8;
        return bytes;
    }

    private static string Sha(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));
}
