using EdgeGateway.Contracts.V1;
using EdgeGateway.Core;
using EdgeGateway.Hosting;
using EdgeGateway.Outbox;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using LiteDB;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace EdgeGateway.Benchmarks.Outbox;

/// <summary>A real outbox (and a raw LiteDB file for the baseline) in a temporary directory.</summary>
internal sealed class OutboxBenchmarkStore : IDisposable
{
    private readonly bool _encrypted;

    private OutboxBenchmarkStore(string directory, bool encrypted = false)
    {
        _encrypted = encrypted;
        Directory = directory;
        Ids = null!;
        Outbox = null!;
        Sink = null!;
        Open();
        Raw = new LiteDatabase(new ConnectionString { Filename = Path.Combine(directory, "raw.db"), Connection = ConnectionType.Direct });
        RawQueue = Raw.GetCollection("q");
    }

    public string Directory { get; }

    public MonotonicMessageIdGenerator Ids { get; private set; }

    public LiteDbOutbox Outbox { get; private set; }

    public ObservationSink Sink { get; private set; }

    public LiteDatabase Raw { get; }

    public ILiteCollection<BsonDocument> RawQueue { get; }

    /// <param name="encrypted">Payloads encrypted at rest, as the service does by default (false: plaintext, the older baseline).</param>
    public static OutboxBenchmarkStore Create(bool encrypted = false)
    {
        var directory = Path.Combine(Path.GetTempPath(), "outbox-bench-" + Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(directory);
        return new OutboxBenchmarkStore(directory, encrypted);
    }

    /// <summary>A position envelope like the GNSS adapter's (about 80 bytes serialized).</summary>
    public static Envelope Draft(DateTimeOffset at) => new()
    {
        Stream = "gnss",
        Priority = PriorityClass.Telemetry,
        CapturedAt = Timestamp.FromDateTimeOffset(at),
        TimeSource = TimeSource.Gnss,
        Position = new Position
        {
            FixTime = Timestamp.FromDateTimeOffset(at),
            Latitude = 51.50135,
            Longitude = -0.14189,
            SpeedMps = 13.4,
            TrackDeg = 270,
            Mode = FixMode._3D,
            SatellitesUsed = 9,
        },
    };

    /// <summary>The same document shape the outbox stores, for the raw LiteDB baseline.</summary>
    public BsonDocument RawDocument()
    {
        var id = new byte[16];
        Ids.Next(id);
        var now = TimeProvider.System.GetUtcNow().ToUnixTimeMilliseconds();
        var envelope = Draft(TimeProvider.System.GetUtcNow());
        envelope.MessageId = MonotonicMessageIdGenerator.Format(id);
        return new BsonDocument { ["_id"] = id, ["s"] = "gnss", ["c"] = now, ["x"] = now, ["b"] = envelope.ToByteArray() };
    }

    /// <summary>A process restart: closes the outbox and opens it again with fresh in-memory state; returns how long opening took.</summary>
    public TimeSpan Reopen()
    {
        Outbox.Dispose();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        Open();
        Outbox.GetStatistics(); // opens the store
        return clock.Elapsed;
    }

    /// <summary>Fills the outbox (and the raw baseline file unless <paramref name="raw"/> is false) with <paramref name="count"/> queued messages (bulk path).</summary>
    public void Fill(int count, bool raw = true)
    {
        var now = TimeProvider.System.GetUtcNow();
        for (var done = 0; done < count; done += 20_000)
        {
            var chunk = Enumerable.Range(0, Math.Min(20_000, count - done)).Select(i =>
            {
                var envelope = Draft(now);
                envelope.MessageId = Ids.NextString();
                envelope.Sequence = (ulong)(done + i + 1);
                envelope.ExpiresAt = Timestamp.FromDateTimeOffset(now + TimeSpan.FromDays(7));
                return envelope;
            }).ToList();
            Outbox.EnqueueManyAsync(chunk, CancellationToken.None).AsTask().GetAwaiter().GetResult();
            if (!raw)
            {
                continue;
            }

            Raw.BeginTrans();
            RawQueue.Insert(chunk.Select(_ => RawDocument()));
            Raw.Commit();
        }
    }

    private void Open()
    {
        var time = TimeProvider.System;
        Ids = new MonotonicMessageIdGenerator(time);
        var gateway = Options.Create(new GatewayOptions { DeviceId = "bench-vehicle", DataDirectory = Directory });
        var options = Options.Create(new OutboxOptions { FreeDiskReserveBytes = 0, EncryptPayloads = _encrypted });
        var protector = EdgeGateway.Outbox.Storage.PayloadProtector.For(options.Value, gateway.Value, new EdgeGateway.Security.FileDataKeyWrapper(Path.Combine(Directory, "identity")));
        Outbox = new LiteDbOutbox(options, gateway, time, Ids, NullLogger<LiteDbOutbox>.Instance, protector);
        Sink = new ObservationSink(Outbox, Outbox, Ids, gateway, options, time);
    }

    public void Dispose()
    {
        Outbox.Dispose();
        Raw.Dispose();
        System.IO.Directory.Delete(Directory, recursive: true);
    }
}
