using EdgeGateway.Contracts.V1;
using EdgeGateway.Core;
using Google.Protobuf.WellKnownTypes;

namespace EdgeGateway.Benchmarks.Load;

/// <summary>Drafts as device adapters hand them to the sink, and the concurrent fill of a backlog.</summary>
internal static class LoadWorkload
{
    public static Envelope Telemetry(string stream, int i) => new()
    {
        Stream = stream,
        Priority = PriorityClass.Telemetry,
        CapturedAt = Timestamp.FromDateTimeOffset(TimeProvider.System.GetUtcNow()),
        TimeSource = TimeSource.Gnss,
        Position = new Position
        {
            FixTime = Timestamp.FromDateTimeOffset(TimeProvider.System.GetUtcNow()),
            Latitude = 51.5 + (i % 1000 / 10_000.0),
            Longitude = -0.12 - (i % 700 / 10_000.0),
            AltitudeM = 35.5,
            SpeedMps = 13.4,
            TrackDeg = 90,
            Mode = FixMode._3D,
            SatellitesUsed = 10,
        },
    };

    /// <summary>A Bulk-class DeviceEvent whose detail is <paramref name="detailChars"/> characters.</summary>
    public static Envelope Bulk(string stream, int detailChars, Random random)
    {
        var bytes = new byte[(detailChars * 3 / 4) + 3];
        random.NextBytes(bytes);
        return new Envelope
        {
            Stream = stream,
            Priority = PriorityClass.Bulk,
            CapturedAt = Timestamp.FromDateTimeOffset(TimeProvider.System.GetUtcNow()),
            TimeSource = TimeSource.Local,
            Event = new DeviceEvent { Type = "bwv-metadata", Detail = Convert.ToBase64String(bytes)[..detailChars] },
        };
    }

    public static Envelope Emergency() => new()
    {
        Stream = "emergency",
        Priority = PriorityClass.Emergency,
        CapturedAt = Timestamp.FromDateTimeOffset(TimeProvider.System.GetUtcNow()),
        TimeSource = TimeSource.Local,
        Event = new DeviceEvent { Type = "emergency", Detail = "officer emergency button" },
    };

    /// <summary>
    /// Runs each stream's drafts through the sink, streams concurrently (the sink serialises per
    /// stream, the outbox group-commits across streams). Returns how many were not accepted and
    /// the stamped size of those that were.
    /// </summary>
    public static async Task<(int Refused, long Bytes)> FillAsync(IObservationSink sink, IEnumerable<(string Stream, int Count, Func<int, Envelope> Make)> work)
    {
        var refused = 0;
        var bytes = 0L;
        await Task.WhenAll(work.Select(w => Task.Run(async () =>
        {
            for (var i = 0; i < w.Count; i++)
            {
                var draft = w.Make(i);
                if (await sink.AcceptAsync(draft, CancellationToken.None).ConfigureAwait(false) != EnqueueResult.Accepted)
                {
                    Interlocked.Increment(ref refused);
                }
                else
                {
                    Interlocked.Add(ref bytes, draft.CalculateSize());
                }
            }
        }))).ConfigureAwait(false);
        return (refused, bytes);
    }

    /// <summary>
    /// The fast way to a backlog: stamps drafts as the sink would (the gateway's own id generator,
    /// per-stream sequences, class expiry of 7/30 days) and stores them with
    /// <see cref="Outbox.LiteDbOutbox.EnqueueManyAsync"/> in chunks (one durable commit per chunk).
    /// </summary>
    public static async Task<(int Refused, long Bytes)> FillBulkAsync(GatewayUnderTest gateway, AckObserver observer, IEnumerable<(string Stream, int Count, Func<int, Envelope> Make)> work, int chunk)
    {
        var ids = gateway.Ids;
        var now = TimeProvider.System.GetUtcNow();
        var stamped = new List<Envelope>();
        foreach (var w in work)
        {
            for (var i = 0; i < w.Count; i++)
            {
                var e = w.Make(i);
                e.DeviceId = GatewayUnderTest.DeviceId;
                e.Sequence = (ulong)(i + 1);
                e.MessageId = ids.NextString();
                e.ExpiresAt = Timestamp.FromDateTimeOffset(now.AddDays(7));
                stamped.Add(e);
            }
        }

        var refused = 0;
        var bytes = 0L;
        for (var start = 0; start < stamped.Count; start += chunk)
        {
            var part = stamped.GetRange(start, Math.Min(chunk, stamped.Count - start));
            part.ForEach(observer.Enqueuing);
            var results = await gateway.Outbox.EnqueueManyAsync(part, CancellationToken.None).ConfigureAwait(false);
            for (var i = 0; i < part.Count; i++)
            {
                if (results[i] == EnqueueResult.Accepted)
                {
                    bytes += part[i].CalculateSize();
                }
                else
                {
                    refused++;
                    observer.Refused(part[i].MessageId);
                }
            }
        }

        return (refused, bytes);
    }

    /// <summary>Splits <paramref name="total"/> over <paramref name="parts"/> as evenly as possible.</summary>
    public static int Share(int total, int parts, int index) => (total / parts) + (index < total % parts ? 1 : 0);
}
