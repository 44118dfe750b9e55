using EdgeGateway.Storage;
using EdgeGateway.Contracts.Evidence;
using System.Buffers;
using EdgeGateway.Contracts.V1;
using Google.Protobuf;
using Grpc.Core;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Polly;
using Polly.Retry;

namespace EdgeGateway.Evidence;

/// <summary>
/// Uploads one staged item to FleetControl's vault over gRPC client streaming: asks the vault for
/// the offset it already holds, streams the rest in CRC32C-protected chunks, sends the custody chain
/// and returns the vault's receipt. Polly retries the one call with exponential backoff (vault down,
/// chunk rejected as corrupt: the retry asks for the offset again and re-sends from there).
/// </summary>
internal sealed class EvidenceUploader
{
    private readonly EvidenceVault.EvidenceVaultClient _client;
    private readonly EvidenceOptions _options;
    private readonly EvidenceCounters _counters;
    private readonly TimeProvider _time;
    private readonly ILogger<EvidenceUploader> _logger;
    private readonly ResiliencePipeline _retry;

    public EvidenceUploader(
        EvidenceVault.EvidenceVaultClient client,
        IOptions<EvidenceOptions> options,
        EvidenceCounters counters,
        TimeProvider time,
        ILogger<EvidenceUploader> logger)
    {
        _client = client;
        _options = options.Value;
        _counters = counters;
        _time = time;
        _logger = logger;
        var builder = new ResiliencePipelineBuilder { TimeProvider = time };
        if (_options.UploadRetries > 0)
        {
            builder.AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = new PredicateBuilder().Handle<RpcException>(IsTransient).Handle<HttpRequestException>(),
                MaxRetryAttempts = _options.UploadRetries,
                Delay = _options.RetryBaseDelay,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                OnRetry = args =>
                {
                    _counters.UploadRetried();
                    if (args.Outcome.Exception is RpcException { StatusCode: StatusCode.DataLoss })
                    {
                        _counters.ChunkRejected();
                    }

                    var id = args.Context.Properties.GetValue(EvidenceIdKey, "?");
                    Log.UploadRetry(_logger, id, args.AttemptNumber + 1, args.RetryDelay, args.Outcome.Exception?.Message ?? "?");
                    return ValueTask.CompletedTask;
                },
            });
        }

        _retry = builder.Build();
    }

    private static readonly ResiliencePropertyKey<string> EvidenceIdKey = new("evidence-id");

    /// <param name="item">The item; its Sha256 may be empty for a pipelined upload (then it goes in the trailer).</param>
    /// <param name="openStaged">Opens the staged copy's plaintext (decrypting an encrypted one).</param>
    /// <param name="finishAsync">Supplies the SHA-256 and the custody chain for the trailer (waits for a running copy).</param>
    /// <param name="tail">The running copy to follow, or null when the staged file is complete.</param>
    /// <param name="onProgress">Bytes the vault holds so far.</param>
    /// <param name="cancellationToken">Stops the upload.</param>
    /// <param name="stopSending">
    /// Stops the upload while it still sends (a bearer it may no longer use); once every byte and the trailer are handed
    /// over, only <paramref name="cancellationToken"/> stops the wait for the receipt, because the vault may already be
    /// committing the item: a receipt then still arrives and is recorded, instead of a custody log that says "stopped"
    /// while the vault holds the item.
    /// </param>
    public async Task<UploadOutcome> UploadAsync(
        EvidenceItem item, Func<StagedFileReader> openStaged, Func<Task<(string Sha256, IReadOnlyList<CustodyLink> Custody)>> finishAsync,
        StagingTail? tail, Action<long> onProgress, CancellationToken cancellationToken, CancellationToken stopSending = default)
    {
        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        context.Properties.Set(EvidenceIdKey, item.EvidenceId);
        var tally = new Tally();
        try
        {
            var receipt = await _retry.ExecuteAsync(
                static (ctx, state) => state.self.UploadOnceAsync(state.item, state.openStaged, state.finishAsync, state.tail, state.onProgress, state.tally, ctx.CancellationToken, state.stopSending),
                context,
                (self: this, item, openStaged, finishAsync, tail, onProgress, tally, stopSending)).ConfigureAwait(false);
            return new UploadOutcome(receipt, tally.FirstOffset ?? 0, tally.BytesSent);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    public async Task<AppendCustodyReply> AppendCustodyAsync(string evidenceId, IEnumerable<CustodyLink> entries, CancellationToken cancellationToken)
    {
        var request = new AppendCustodyRequest { EvidenceId = evidenceId };
        request.Entries.AddRange(entries.Select(e => e.ToProto()));
        return await _retry.ExecuteAsync(
            async ct => await _client.AppendCustodyAsync(request, deadline: ShortCallDeadline(), cancellationToken: ct).ConfigureAwait(false),
            cancellationToken).ConfigureAwait(false);
    }

    private async ValueTask<EvidenceReceipt> UploadOnceAsync(
        EvidenceItem item, Func<StagedFileReader> openStaged, Func<Task<(string Sha256, IReadOnlyList<CustodyLink> Custody)>> finishAsync,
        StagingTail? tail, Action<long> onProgress, Tally tally, CancellationToken cancellationToken, CancellationToken stopSending)
    {
        using var sendingScope = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, stopSending);
        var sending = sendingScope.Token;
        var status = await _client.GetUploadOffsetAsync(new UploadOffsetRequest { EvidenceId = item.EvidenceId }, deadline: ShortCallDeadline(), cancellationToken: sending).ConfigureAwait(false);
        if (status.Complete)
        {
            tally.FirstOffset ??= (long)item.Size;
            onProgress((long)item.Size);
            return status.Receipt;
        }

        var offset = (long)status.Offset;
        tally.FirstOffset ??= offset;
        Log.UploadStarted(_logger, item.EvidenceId, offset, (long)item.Size);
        using var call = _client.Upload(cancellationToken: cancellationToken);
        await call.RequestStream.WriteAsync(new UploadRequest { Header = new UploadHeader { Item = item, Offset = (ulong)offset } }, sending).ConfigureAwait(false);
        var buffer = ArrayPool<byte>.Shared.Rent(_options.ChunkBytes);
        try
        {
            var limiter = new BandwidthLimiter(_options.UploadBytesPerSecond, _time);
            if (tail is not null && !await tail.WaitForAsync(0, sending).ConfigureAwait(false))
            {
                throw new CopyAbandonedException($"the staging copy of {item.EvidenceId} stopped");
            }

            using var data = openStaged();
            while (offset < (long)item.Size)
            {
                var want = (int)Math.Min(_options.ChunkBytes, (long)item.Size - offset);
                if (tail is not null && !await tail.WaitForAsync(offset + want, sending).ConfigureAwait(false))
                {
                    throw new CopyAbandonedException($"the staging copy of {item.EvidenceId} stopped at {tail.Written}");
                }

                var n = await data.ReadAsync(offset, buffer.AsMemory(0, want), sending).ConfigureAwait(false);
                if (n != want)
                {
                    throw new EndOfStreamException($"the staged copy of {item.EvidenceId} ends at {offset + n} of {item.Size} bytes");
                }

                if (tail is null)
                {
                    PageCache.Drop(data.Handle, data.FileOffset(offset), data.FileOffset(offset + n) - data.FileOffset(offset)); // a finished copy is fsynced: read once, not needed again
                }
                else
                {
                    tail.MarkConsumed(data.FileOffset(offset + n), data.Handle);
                }

                var chunk = new UploadChunk
                {
                    Offset = (ulong)offset,
                    // The message is serialised before WriteAsync completes, so the buffer may be reused after it.
                    Data = UnsafeByteOperations.UnsafeWrap(buffer.AsMemory(0, n)),
                    Crc32C = Crc32C.Compute(buffer.AsSpan(0, n)),
                };
                await call.RequestStream.WriteAsync(new UploadRequest { Chunk = chunk }, sending).ConfigureAwait(false);
                offset += n;
                tally.BytesSent += n;
                _counters.AddUploaded(n);
                onProgress(offset);
                await limiter.PaceAsync(n, sending).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is not CopyAbandonedException && (e is not OperationCanceledException || !sending.IsCancellationRequested))
        {
            // The vault ended the call early (a rejected chunk): its status, not the write error, says why.
            var serverStatus = await ServerStatusAsync(call, cancellationToken).ConfigureAwait(false);
            if (serverStatus is not null)
            {
                throw serverStatus;
            }

            throw;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        var (sha, custody) = await finishAsync().ConfigureAwait(false);
        var trailer = new UploadTrailer { Sha256 = sha };
        trailer.Custody.AddRange(custody.Select(c => c.ToProto()));
        try
        {
            await call.RequestStream.WriteAsync(new UploadRequest { Trailer = trailer }, sending).ConfigureAwait(false);
            await call.RequestStream.CompleteAsync().ConfigureAwait(false);
        }
        catch (Exception e) when (e is not RpcException and not OperationCanceledException)
        {
            // Writing failed because the server already answered; its status tells why.
        }

        try
        {
            return await call.ResponseAsync.WaitAsync(_options.ReceiptTimeout, _time, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // Transient: the retry pipeline asks the vault's offset again and resumes from there.
            throw new RpcException(new Status(StatusCode.DeadlineExceeded, $"no receipt within {_options.ReceiptTimeout} of the last chunk"));
        }
    }

    private async Task<RpcException?> ServerStatusAsync(AsyncClientStreamingCall<UploadRequest, EvidenceReceipt> call, CancellationToken cancellationToken)
    {
        try
        {
            await call.ResponseAsync.WaitAsync(TimeSpan.FromSeconds(10), _time, cancellationToken).ConfigureAwait(false);
            return null;
        }
        catch (RpcException server)
        {
            return server;
        }
        catch (TimeoutException)
        {
            return null;
        }
    }

    /// <summary>
    /// A deadline for a unary vault call (DeadlineExceeded is retried): without one, a call queued behind an upload of the
    /// same item that the vault never saw end would hold the item forever. gRPC deadlines are on the system clock.
    /// </summary>
    private DateTime ShortCallDeadline() => TimeProvider.System.GetUtcNow().UtcDateTime + _options.ReceiptTimeout;

    private sealed class Tally
    {
        public long? FirstOffset { get; set; }

        public long BytesSent { get; set; }
    }

    private static bool IsTransient(RpcException e) => e.StatusCode is
        StatusCode.Unavailable or StatusCode.DataLoss or StatusCode.Internal or StatusCode.Unknown or
        StatusCode.DeadlineExceeded or StatusCode.Aborted or StatusCode.ResourceExhausted or StatusCode.FailedPrecondition;
}
