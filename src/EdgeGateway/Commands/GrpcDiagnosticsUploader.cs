using EdgeGateway.Contracts.V1;
using EdgeGateway.Hosting;
using EdgeGateway.Security;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.Extensions.Options;
using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace EdgeGateway.Commands;

/// <summary>
/// Uploads a diagnostics bundle to FleetControl's <c>Diagnostics.UploadBundle</c> (client streaming: the header,
/// then 64 KiB chunks) over the gateway's mTLS channel. A Polly pipeline wraps the one call: two minutes per
/// attempt, three retries when FleetControl is unreachable; a refusal (too large, hash mismatch) is final.
/// </summary>
internal sealed class GrpcDiagnosticsUploader(IOptions<GatewayOptions> gateway, GatewayIdentity identity, TimeProvider time) : IDiagnosticsUploader, IDisposable
{
    /// <summary>Bytes per data message.</summary>
    public const int ChunkBytes = 64 * 1024;

    private readonly Lazy<GrpcChannel> _channel = new(() => GrpcChannel.ForAddress(gateway.Value.FleetControlUrl, new GrpcChannelOptions
    {
        HttpHandler = identity.CreateHttpHandler(),
    }));

    private readonly ResiliencePipeline _pipeline = new ResiliencePipelineBuilder { TimeProvider = time }
        .AddRetry(new RetryStrategyOptions
        {
            ShouldHandle = args => ValueTask.FromResult(args.Outcome.Exception is RpcException { StatusCode: StatusCode.Unavailable or StatusCode.DeadlineExceeded } or TimeoutRejectedException or HttpRequestException),
            MaxRetryAttempts = 3,
            BackoffType = DelayBackoffType.Exponential,
            Delay = TimeSpan.FromSeconds(1),
        })
        .AddTimeout(TimeSpan.FromMinutes(2))
        .Build();

    public async Task<DiagnosticsReceipt> UploadAsync(DiagnosticsBundleHeader header, ReadOnlyMemory<byte> bundle, CancellationToken cancellationToken)
    {
        await identity.WaitReadyAsync(cancellationToken).ConfigureAwait(false);
        var client = new Contracts.V1.Diagnostics.DiagnosticsClient(_channel.Value);
        return await _pipeline.ExecuteAsync(
            async ct =>
            {
                using var call = client.UploadBundle(cancellationToken: ct);
                try
                {
                    await call.RequestStream.WriteAsync(new DiagnosticsUploadRequest { Header = header }, ct).ConfigureAwait(false);
                    for (var offset = 0; offset < bundle.Length; offset += ChunkBytes)
                    {
                        var chunk = bundle.Slice(offset, Math.Min(ChunkBytes, bundle.Length - offset));
                        await call.RequestStream.WriteAsync(new DiagnosticsUploadRequest { Data = ByteString.CopyFrom(chunk.Span) }, ct).ConfigureAwait(false);
                    }

                    await call.RequestStream.CompleteAsync().ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is RpcException or InvalidOperationException or IOException)
                {
                    // FleetControl ended the call early (a refusal): its status, not the write's failure, says why.
                }

                return await call.ResponseAsync.ConfigureAwait(false);
            },
            cancellationToken).ConfigureAwait(false);
    }

    public void Dispose()
    {
        if (_channel.IsValueCreated)
        {
            _channel.Value.Dispose();
        }
    }
}
