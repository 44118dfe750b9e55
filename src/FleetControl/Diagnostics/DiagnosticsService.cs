using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using EdgeGateway.Contracts.V1;
using FleetControl.Identity;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.Extensions.Options;

namespace FleetControl.Diagnostics;

/// <summary>
/// The gRPC <c>Diagnostics</c> service: a gateway uploads the bundle a collect-diagnostics command asked for.
/// The header's size is checked against <see cref="DiagnosticsOptions.MaxBundleBytes"/> before a byte is
/// written (and the bytes are counted as they come); the SHA-256 of what arrived must equal the header's.
/// </summary>
internal sealed class DiagnosticsService(
    DiagnosticsStore store,
    IOptions<DiagnosticsOptions> options,
    TimeProvider time,
    ILogger<DiagnosticsService> logger) : EdgeGateway.Contracts.V1.Diagnostics.DiagnosticsBase
{
    private static readonly ConcurrentDictionary<string, SemaphoreSlim> Locks = new(StringComparer.Ordinal);

    public override async Task<DiagnosticsReceipt> UploadBundle(IAsyncStreamReader<DiagnosticsUploadRequest> requestStream, ServerCallContext context)
    {
        var ct = context.CancellationToken;
        if (!await requestStream.MoveNext(ct).ConfigureAwait(false) || requestStream.Current.PartCase != DiagnosticsUploadRequest.PartOneofCase.Header)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, "a diagnostics upload starts with a header"));
        }

        var header = requestStream.Current.Header;
        if (!DiagnosticsStore.IsValidId(header.DeviceId) || !DiagnosticsStore.IsValidId(header.CommandId))
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, "the header needs a valid device id and command id"));
        }

        if (header.Format != "zip")
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"format '{header.Format}' is not supported (zip)"));
        }

        DeviceCaller.EnsureIs(context, header.DeviceId, "upload diagnostics");
        var max = options.Value.MaxBundleBytes;
        if ((long)header.Size > max)
        {
            Log.BundleTooLarge(logger, header.DeviceId, header.CommandId, (long)header.Size, max);
            throw new RpcException(new Status(StatusCode.ResourceExhausted, TooLarge((long)header.Size, max)));
        }

        var semaphore = Locks.GetOrAdd(header.DeviceId + "/" + header.CommandId, _ => new SemaphoreSlim(1, 1));
        await semaphore.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            if (store.Find(header.DeviceId, header.CommandId) is { } existing && existing.Sha256 == header.Sha256)
            {
                return Receipt(existing);
            }

            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            long received = 0;
            var complete = false;
            try
            {
                await using (var partial = store.CreatePartial(header.DeviceId, header.CommandId))
                {
                    while (await requestStream.MoveNext(ct).ConfigureAwait(false))
                    {
                        var part = requestStream.Current;
                        if (part.PartCase != DiagnosticsUploadRequest.PartOneofCase.Data)
                        {
                            throw new RpcException(new Status(StatusCode.InvalidArgument, "only data follows the header"));
                        }

                        received += part.Data.Length;
                        if (received > (long)header.Size)
                        {
                            var status = received > max ? StatusCode.ResourceExhausted : StatusCode.InvalidArgument;
                            throw new RpcException(new Status(status, received > max
                                ? TooLarge(received, max)
                                : Invariant($"more bytes than the header's {header.Size}")));
                        }

                        hash.AppendData(part.Data.Span);
                        await partial.WriteAsync(part.Data.Memory, ct).ConfigureAwait(false);
                    }

                    await partial.FlushAsync(ct).ConfigureAwait(false);
                    partial.Flush(flushToDisk: true);
                }

                if (received != (long)header.Size)
                {
                    throw new RpcException(new Status(StatusCode.Aborted, Invariant($"the upload ended at {received} of {header.Size} bytes")));
                }

                var sha = Convert.ToHexStringLower(hash.GetHashAndReset());
                if (!string.Equals(sha, header.Sha256, StringComparison.OrdinalIgnoreCase))
                {
                    throw new RpcException(new Status(StatusCode.DataLoss, $"the bundle's bytes hash to {sha}, the gateway declared '{header.Sha256}'"));
                }

                var record = new DiagnosticsBundleRecord(header.CommandId, header.DeviceId, header.Format, received, sha,
                    header.CollectedAt?.ToDateTimeOffset(), time.GetUtcNow());
                store.Commit(record);
                complete = true;
                Log.BundleStored(logger, header.DeviceId, header.CommandId, received, sha);
                return Receipt(record);
            }
            finally
            {
                if (!complete)
                {
                    store.DiscardPartial(header.DeviceId, header.CommandId);
                }
            }
        }
        finally
        {
            semaphore.Release();
        }
    }

    /// <summary>The refusal a gateway reports for a bundle over the limit.</summary>
    public static string TooLarge(long size, long max) =>
        Invariant($"diagnostics bundle of {size} bytes is larger than FleetControl accepts (Diagnostics:MaxBundleBytes = {max}); ask for fewer log lines");

    private static DiagnosticsReceipt Receipt(DiagnosticsBundleRecord record) => new()
    {
        BundleId = record.BundleId,
        Sha256 = record.Sha256,
        Size = (ulong)record.Size,
        StoredAt = Timestamp.FromDateTimeOffset(record.StoredAt),
    };

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
