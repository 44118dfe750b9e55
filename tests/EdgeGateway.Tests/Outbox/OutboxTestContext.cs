using EdgeGateway.Outbox.Storage;
using EdgeGateway.Contracts.V1;
using EdgeGateway.Core;
using EdgeGateway.Hosting;
using EdgeGateway.Outbox;
using Google.Protobuf.WellKnownTypes;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace EdgeGateway.Tests.Outbox;

/// <summary>A real outbox on a real LiteDB file in a temporary directory, plus the sink in front of it.</summary>
internal sealed class OutboxTestContext : IDisposable
{
    public static readonly DateTimeOffset Start = new(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);

    private readonly bool _ownsDirectory;

    private OutboxTestContext(string directory, TimeProvider time, OutboxOptions options, bool ownsDirectory)
    {
        Directory = directory;
        Time = time;
        Options = options;
        _ownsDirectory = ownsDirectory;
        Outbox = null!;
        Sink = null!;
        Open();
    }

    public string Directory { get; }

    public TimeProvider Time { get; }

    public FakeTimeProvider FakeTime => (FakeTimeProvider)Time;

    public OutboxOptions Options { get; }

    public LiteDbOutbox Outbox { get; private set; }

    public ObservationSink Sink { get; private set; }

    public MonotonicMessageIdGenerator Ids { get; private set; } = null!;

    public string DataFile => Path.Combine(Directory, Options.FileName);

    public static OutboxTestContext Create(Action<OutboxOptions>? configure = null, TimeProvider? time = null, string? directory = null)
    {
        var options = new OutboxOptions { FreeDiskReserveBytes = 0, UrgentReserveBytes = 0 };
        configure?.Invoke(options);
        var owns = directory is null;
        directory ??= Path.Combine(Path.GetTempPath(), "outbox-tests-" + Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(directory);
        return new OutboxTestContext(directory, time ?? new FakeTimeProvider(Start), options, owns);
    }

    /// <summary>Copies the outbox's wrapped data key and the storage key to <paramref name="dataDirectory"/>: an outbox file moved without them cannot be read.</summary>
    public void CopyKeysTo(string dataDirectory)
    {
        System.IO.Directory.CreateDirectory(Path.Combine(dataDirectory, "identity"));
        File.Copy(DataFile + ".key", Path.Combine(dataDirectory, Options.FileName + ".key"), overwrite: true);
        File.Copy(Path.Combine(Directory, "identity", "storage.kek"), Path.Combine(dataDirectory, "identity", "storage.kek"), overwrite: true);
    }

    /// <summary>Simulates a process restart: closes the store and opens it again with fresh in-memory state.</summary>
    public void Reopen()
    {
        Outbox.Dispose();
        Open();
    }

    public static Envelope Draft(PriorityClass priority, string stream = "gnss", DateTimeOffset? capturedAt = null, int padding = 16) => new()
    {
        Stream = stream,
        Priority = priority,
        CapturedAt = capturedAt is { } at ? Timestamp.FromDateTimeOffset(at) : null,
        TimeSource = TimeSource.Gnss,
        Event = new DeviceEvent { Type = "test", Detail = new string('x', padding) },
    };

    public ValueTask<EnqueueResult> AcceptAsync(PriorityClass priority, string stream = "gnss", int padding = 16) =>
        Sink.AcceptAsync(Draft(priority, stream, Time.GetUtcNow(), padding), TestContext.Current.CancellationToken);

    /// <summary>Leases everything currently leasable.</summary>
    public async Task<IReadOnlyList<OutboxMessage>> LeaseAllAsync()
    {
        var all = new List<OutboxMessage>();
        while (true)
        {
            var batch = await Outbox.LeaseAsync(1000, TestContext.Current.CancellationToken).AsTask().WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
            if (batch.Count == 0)
            {
                return all;
            }

            all.AddRange(batch);
        }
    }

    public static Envelope Parse(OutboxMessage message) => Envelope.Parser.ParseFrom(message.Envelope.Span);

    public void Dispose()
    {
        Outbox.Dispose();
        if (_ownsDirectory)
        {
            try
            {
                System.IO.Directory.Delete(Directory, recursive: true);
            }
            catch (IOException)
            {
                // best effort
            }
        }
    }

    private void Open()
    {
        Ids = new MonotonicMessageIdGenerator(Time);
        var gateway = Microsoft.Extensions.Options.Options.Create(new GatewayOptions { DeviceId = "test-vehicle", DataDirectory = Directory });
        var options = Microsoft.Extensions.Options.Options.Create(Options);
        // As the service does it: payloads encrypted at rest unless the options turn it off.
        var protector = PayloadProtector.For(Options, gateway.Value, new EdgeGateway.Security.FileDataKeyWrapper(Path.Combine(Directory, "identity")));
        Outbox = new LiteDbOutbox(options, gateway, Time, Ids, NullLogger<LiteDbOutbox>.Instance, protector);
        Sink = new ObservationSink(Outbox, Outbox, Ids, gateway, options, Time);
    }
}
