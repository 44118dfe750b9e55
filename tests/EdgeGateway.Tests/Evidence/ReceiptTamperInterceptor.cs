using EdgeGateway.Contracts.V1;
using Grpc.Core;
using Grpc.Core.Interceptors;

namespace EdgeGateway.Tests.Evidence;

/// <summary>
/// Stands in for a vault that answers wrongly: while <see cref="Tampering"/>, every receipt the dock
/// receives (from Upload or GetUploadOffset) has its SHA-256 (odd answers) or its size (even answers)
/// altered. <see cref="WithholdFirstReceipt"/> instead keeps the first Upload call's receipt from
/// ever arriving (the vault stored the item but its answer was lost), to exercise Evidence:ReceiptTimeout.
/// </summary>
internal sealed class ReceiptTamperInterceptor : Interceptor
{
    private int _tampered;
    private int _withheld;
    private volatile bool _tampering;

    public bool Tampering
    {
        get => _tampering;
        set => _tampering = value;
    }

    public bool WithholdFirstReceipt { get; init; }

    public int Tampered => Volatile.Read(ref _tampered);

    public int Withheld => Volatile.Read(ref _withheld);

    public override AsyncClientStreamingCall<TRequest, TResponse> AsyncClientStreamingCall<TRequest, TResponse>(
        ClientInterceptorContext<TRequest, TResponse> context, AsyncClientStreamingCallContinuation<TRequest, TResponse> continuation)
    {
        var call = continuation(context);
        Task<TResponse> response;
        if (WithholdFirstReceipt && Interlocked.CompareExchange(ref _withheld, 1, 0) == 0)
        {
            // The call still completes at the vault; its answer never reaches the dock.
            response = new TaskCompletionSource<TResponse>(TaskCreationOptions.RunContinuationsAsynchronously).Task;
        }
        else
        {
            response = TamperAsync(call.ResponseAsync);
        }

        return new AsyncClientStreamingCall<TRequest, TResponse>(call.RequestStream, response, call.ResponseHeadersAsync, call.GetStatus, call.GetTrailers, call.Dispose);
    }

    public override AsyncUnaryCall<TResponse> AsyncUnaryCall<TRequest, TResponse>(
        TRequest request, ClientInterceptorContext<TRequest, TResponse> context, AsyncUnaryCallContinuation<TRequest, TResponse> continuation)
    {
        var call = continuation(request, context);
        return new AsyncUnaryCall<TResponse>(TamperAsync(call.ResponseAsync), call.ResponseHeadersAsync, call.GetStatus, call.GetTrailers, call.Dispose);
    }

    private async Task<T> TamperAsync<T>(Task<T> response)
    {
        var value = await response.ConfigureAwait(false);
        if (!Tampering)
        {
            return value;
        }

        switch (value)
        {
            case EvidenceReceipt receipt:
                return (T)(object)Alter(receipt);
            case UploadOffsetReply { Complete: true } reply:
                var copy = reply.Clone();
                copy.Receipt = Alter(reply.Receipt);
                return (T)(object)copy;
            default:
                return value;
        }
    }

    private EvidenceReceipt Alter(EvidenceReceipt receipt)
    {
        var copy = receipt.Clone();
        if (Interlocked.Increment(ref _tampered) % 2 == 1)
        {
            copy.Sha256 = new string('e', 64);
        }
        else
        {
            copy.Size += 1;
        }

        return copy;
    }
}
