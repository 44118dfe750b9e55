using EdgeGateway.Contracts.Tetra;
using EdgeGateway.Contracts.V1;
using Microsoft.Extensions.Time.Testing;

namespace EdgeGateway.Tests.Uplink.Tetra;

/// <summary>The compact SDS form of an urgent envelope and its reassembly on the receiving side.</summary>
public sealed class SdsCompactEnvelopeTests
{
    private const string Device = "car-compact";

    [Fact]
    public void RealisticHit_TooLargeForOneSds_RoundTripsInAFewSegments_InAnyOrder()
    {
        var hit = UrgentEnvelopes.Hit(Device);
        Assert.True(hit.CalculateSize() > SdsEnvelope.MaxEnvelopeBytes);
        Assert.Null(SdsEnvelope.TryEncodeUserData(hit));

        var segments = SdsCompactEnvelope.TryEncodeForSds(hit);

        Assert.NotNull(segments);
        Assert.InRange(segments.Count, 2, SdsCompactEnvelope.MaxSegments);
        Assert.All(segments, s => Assert.True(SdsTl.TransferHeaderLength + s.Length <= SdsTl.MaxBytes));
        var reassembler = new SdsReassembler(TimeSpan.FromMinutes(5), new FakeTimeProvider());
        byte[]? payload = null;
        foreach (var segment in segments.Reverse())
        {
            Assert.Null(payload);
            Assert.True(reassembler.TryAdd("1001", segment, out payload, out _));
        }

        Assert.True(SdsCompactEnvelope.TryDecodePayload(payload, Device, out var decoded, out var error), error);
        Assert.Equal(hit, decoded);
        Assert.Equal(0, reassembler.Pending);
    }

    [Fact]
    public void SmallEnvelope_StaysThePlainEnvelopeSds()
    {
        var small = new Envelope { MessageId = Guid.CreateVersion7().ToString(), DeviceId = Device, Priority = PriorityClass.Emergency, Event = new DeviceEvent { Type = "emergency" } };

        var segments = SdsCompactEnvelope.TryEncodeForSds(small);

        var only = Assert.Single(segments!);
        Assert.Equal(SdsEnvelope.FormatVersion, only[0]);
    }

    [Fact]
    public void HitWithInlineImages_LeavesTheImageBytesOut_EverythingElseEqual()
    {
        var hit = UrgentEnvelopes.Hit(Device, withImages: true);

        var segments = SdsCompactEnvelope.TryEncodeSegments(hit);

        Assert.NotNull(segments);
        Assert.True(SdsCompactEnvelope.TryDecodePayload(Join(segments), Device, out var decoded, out _));
        var expected = hit.Clone();
        expected.AnprHit.Images.Clear();
        Assert.Equal(expected, decoded);
    }

    [Fact]
    public void MoreThanMaxSegments_IsNull_TheEnvelopeWaitsForLte()
    {
        var big = new Envelope
        {
            MessageId = Guid.CreateVersion7().ToString(),
            DeviceId = Device,
            Priority = PriorityClass.Alert,
            Event = new DeviceEvent { Type = "crash", Detail = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(2_000)) },
        };

        Assert.Null(SdsCompactEnvelope.TryEncodeForSds(big));
    }

    [Fact]
    public void LostSegment_PartialDroppedAfterTheTimeout_NothingDecoded_WholeResendCompletes()
    {
        var time = new FakeTimeProvider();
        var reassembler = new SdsReassembler(TimeSpan.FromMinutes(5), time);
        var hit = UrgentEnvelopes.Hit(Device);
        var segments = SdsCompactEnvelope.TryEncodeSegments(hit)!;

        Assert.True(reassembler.TryAdd("1001", segments[0], out var payload, out _));
        Assert.Null(payload);
        time.Advance(TimeSpan.FromMinutes(6));
        Assert.True(reassembler.TryAdd("1001", segments[^1], out payload, out _)); // the first has expired: a new partial
        Assert.Null(payload);
        Assert.Equal(1, reassembler.Expired);

        foreach (var segment in segments.SkipLast(1)) // the rest of the re-send
        {
            Assert.True(reassembler.TryAdd("1001", segment, out payload, out _));
        }

        Assert.True(SdsCompactEnvelope.TryDecodePayload(payload, Device, out var decoded, out _));
        Assert.Equal(hit, decoded);
    }

    [Fact]
    public void SegmentsOfTwoTerminals_AreKeptApart()
    {
        var reassembler = new SdsReassembler(TimeSpan.FromMinutes(5), new FakeTimeProvider());
        var segments = SdsCompactEnvelope.TryEncodeSegments(UrgentEnvelopes.Hit(Device))!;

        Assert.True(reassembler.TryAdd("1001", segments[0], out var payload, out _));
        Assert.True(reassembler.TryAdd("1002", segments[1], out payload, out _));

        Assert.Null(payload);
        Assert.Equal(2, reassembler.Pending);
    }

    [Fact]
    public void RandomAndMutatedInput_NeverThrows()
    {
        var random = new Random(11);
        var reassembler = new SdsReassembler(TimeSpan.FromMinutes(5), new FakeTimeProvider());
        var good = SdsCompactEnvelope.TryEncodeSegments(UrgentEnvelopes.Hit(Device))!;
        for (var i = 0; i < 20_000; i++)
        {
            byte[] data;
            if (i % 2 == 0)
            {
                data = new byte[random.Next(0, 300)];
                random.NextBytes(data);
                if (data.Length > 1 && i % 4 == 0)
                {
                    data[0] = SdsCompactEnvelope.FormatVersion;
                    data[1] = (byte)random.Next(0, 0x24);
                }
            }
            else
            {
                data = (byte[])good[random.Next(good.Count)].Clone();
                data[random.Next(data.Length)] ^= (byte)(1 << random.Next(8));
            }

            if (reassembler.TryAdd("1001", data, out var payload, out _) && payload is not null)
            {
                SdsCompactEnvelope.TryDecodePayload(payload, Device, out _, out _);
            }

            SdsCompactEnvelope.TryDecodePayload(data, Device, out _, out _);
        }

        Assert.InRange(reassembler.Pending, 0, SdsReassembler.MaxPartialPerTerminal);
    }

    private static byte[] Join(IReadOnlyList<byte[]> segments)
    {
        var reassembler = new SdsReassembler(TimeSpan.FromMinutes(5), new FakeTimeProvider());
        byte[]? payload = null;
        foreach (var segment in segments)
        {
            reassembler.TryAdd("1001", segment, out payload, out _);
        }

        return payload!;
    }
}
