using System.Threading.Channels;
using EdgeGateway.Contracts.V1;
using EdgeGateway.Hosting;
using EdgeGateway.Outbox;
using Google.Protobuf;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EdgeGateway.Retention;

/// <summary>
/// Owns the <see cref="RetainedHistory"/>: copies delivered messages into it off the acknowledgement path
/// (handed over by <see cref="RetainingOutbox"/>, one transaction per batch), and deletes what is past its
/// age at least every <see cref="PruneInterval"/> so personal data is not kept longer than configured even
/// when nothing new arrives. Asleep otherwise. When the history cannot be opened the gateway runs without
/// it (logged) rather than not at all.
/// </summary>
internal sealed class RetentionService : BackgroundService
{
    private readonly RetentionOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<RetentionService> _logger;
    private readonly Security.IDataKeyWrapper _keys;
    private readonly bool _encrypt;
    private readonly Channel<IReadOnlyList<OutboxMessage>> _delivered =
        Channel.CreateUnbounded<IReadOnlyList<OutboxMessage>>(new UnboundedChannelOptions { SingleReader = false });
    private readonly Lazy<RetainedHistory?> _history;
    private long _notKept;
    private long _diskCheckedAtMs = long.MinValue;
    private bool _diskLow;

    public RetentionService(
        IOptions<RetentionOptions> options,
        IOptions<GatewayOptions> gateway,
        IOptions<Outbox.OutboxOptions> outbox,
        Security.IDataKeyWrapper keys,
        TimeProvider time,
        ILogger<RetentionService> logger)
    {
        _encrypt = outbox.Value.EncryptPayloads;
        _keys = keys;
        _options = options.Value;
        _time = time;
        _logger = logger;
        var path = Path.Combine(Path.GetFullPath(gateway.Value.DataDirectory), _options.FileName);
        _history = new Lazy<RetainedHistory?>(() => Open(path), LazyThreadSafetyMode.ExecutionAndPublication);
    }

    /// <summary>Longest time between age prunes.</summary>
    public static TimeSpan PruneInterval { get; } = TimeSpan.FromMinutes(10);

    /// <summary>True when delivered messages are kept.</summary>
    public bool Enabled => _options.Enabled;

    /// <summary>The history, or null when retention is off or the file could not be opened.</summary>
    public RetainedHistory? History => _options.Enabled ? _history.Value : null;

    /// <summary>Delivered messages not kept (history unavailable, disk low, write failed).</summary>
    public long NotKept => Interlocked.Read(ref _notKept);

    /// <summary>FleetControl has stored these: keep copies (asynchronously; never blocks the caller).</summary>
    public void Delivered(IReadOnlyList<OutboxMessage> messages)
    {
        if (messages.Count > 0 && !_delivered.Writer.TryWrite(messages))
        {
            Interlocked.Add(ref _notKept, messages.Count);
        }
    }

    /// <summary>Writes everything handed over so far (before a resend reads the history; any thread).</summary>
    public void Flush()
    {
        while (_delivered.Reader.TryRead(out var batch))
        {
            Write(batch);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (History is not { } history)
        {
            return;
        }

        history.Prune(_time.GetUtcNow());
        var nextPrune = _time.GetUtcNow() + PruneInterval;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                var wait = nextPrune - _time.GetUtcNow();
                if (wait > TimeSpan.Zero)
                {
                    using var sleep = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
                    var arrived = _delivered.Reader.WaitToReadAsync(sleep.Token).AsTask();
                    var due = Task.Delay(wait, _time, sleep.Token);
                    await Task.WhenAny(arrived, due).ConfigureAwait(false);
                    await sleep.CancelAsync().ConfigureAwait(false);
                    stoppingToken.ThrowIfCancellationRequested();
                }

                Flush();
                if (_time.GetUtcNow() >= nextPrune)
                {
                    history.Prune(_time.GetUtcNow());
                    nextPrune = _time.GetUtcNow() + PruneInterval;
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: what is queued is written below.
        }

        Flush();
    }

    public override void Dispose()
    {
        if (_history.IsValueCreated)
        {
            _history.Value?.Dispose();
        }

        base.Dispose();
    }

    private void Write(IReadOnlyList<OutboxMessage> batch)
    {
        if (History is not { } history)
        {
            Interlocked.Add(ref _notKept, batch.Count);
            return;
        }

        if (DiskLow(history))
        {
            Interlocked.Add(ref _notKept, batch.Count);
            Log.NotKept(_logger, batch.Count, $"less than Retention:MinFreeDiskBytes ({_options.MinFreeDiskBytes}) free");
            return;
        }

        var messages = new List<RetainedMessage>(batch.Count);
        foreach (var message in batch)
        {
            try
            {
                var envelope = Envelope.Parser.ParseFrom(message.Envelope.Span);
                var captured = envelope.CapturedAt?.ToDateTimeOffset() ?? _time.GetUtcNow();
                messages.Add(new RetainedMessage(message.MessageId, message.Priority, message.Stream, captured, message.Envelope));
            }
            catch (InvalidProtocolBufferException)
            {
                Interlocked.Increment(ref _notKept); // the outbox checks its checksum before sending; cannot happen for a sent one
            }
        }

        try
        {
            history.Add(messages, _time.GetUtcNow());
        }
        catch (Exception ex) when (ex is LiteDB.LiteException or IOException)
        {
            Interlocked.Add(ref _notKept, batch.Count);
            Log.WriteFailed(_logger, batch.Count, ex);
        }
    }

    private bool DiskLow(RetainedHistory history)
    {
        // statvfs at most every 5 s: cheap, and free space does not swing faster than that matters here.
        // The first call always probes: `nowMs - long.MinValue` would overflow and never be due.
        var nowMs = _time.GetUtcNow().ToUnixTimeMilliseconds();
        if (_diskCheckedAtMs == long.MinValue || nowMs - _diskCheckedAtMs >= 5000)
        {
            _diskCheckedAtMs = nowMs;
            try
            {
                _diskLow = new DriveInfo(Path.GetDirectoryName(history.FilePath)!).AvailableFreeSpace < _options.MinFreeDiskBytes;
            }
            catch (IOException)
            {
                _diskLow = false;
            }
        }

        return _diskLow;
    }

    private RetainedHistory? Open(string path)
    {
        try
        {
            // Encrypted like the outbox (Outbox:EncryptPayloads); a key made earlier still opens older copies.
            var protector = _encrypt || File.Exists(path + ".key") ? Outbox.Storage.PayloadProtector.Open(path, _keys, _encrypt) : null;
            var history = new RetainedHistory(path, _options, _time, _logger, protector);
            var stats = history.Statistics;
            Log.Opened(_logger, path, stats.Messages, stats.Bytes);
            return history;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            Log.Unavailable(_logger, ex.Message);
            return null;
        }
    }
}
