using EdgeGateway.Contracts.V1;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Core.Interceptors;

namespace EdgeGateway.Tests.Evidence;

/// <summary>Corrupts the data of the first N upload chunks in transit (one flipped bit each), after the CRC was computed.</summary>
internal sealed class BitFlipInterceptor(int chunksToCorrupt) : Interceptor
{
    private readonly int _total = chunksToCorrupt;
    private int _remaining = chunksToCorrupt;

    public int Corrupted => _total - Math.Max(0, Volatile.Read(ref _remaining));

    public override AsyncClientStreamingCall<TRequest, TResponse> AsyncClientStreamingCall<TRequest, TResponse>(
        ClientInterceptorContext<TRequest, TResponse> context, AsyncClientStreamingCallContinuation<TRequest, TResponse> continuation)
    {
        var call = continuation(context);
        return new AsyncClientStreamingCall<TRequest, TResponse>(
            new FlippingWriter<TRequest>(call.RequestStream, this),
            call.ResponseAsync, call.ResponseHeadersAsync, call.GetStatus, call.GetTrailers, call.Dispose);
    }

    private bool TakeOne() => Interlocked.Decrement(ref _remaining) >= 0;

    private sealed class FlippingWriter<T>(IClientStreamWriter<T> inner, BitFlipInterceptor owner) : IClientStreamWriter<T>
    {
        public WriteOptions? WriteOptions { get => inner.WriteOptions; set => inner.WriteOptions = value; }

        public Task CompleteAsync() => inner.CompleteAsync();

        public Task WriteAsync(T message) => inner.WriteAsync(Tamper(message));

        public Task WriteAsync(T message, CancellationToken cancellationToken) => inner.WriteAsync(Tamper(message), cancellationToken);

        private T Tamper(T message)
        {
            if (message is UploadRequest { PartCase: UploadRequest.PartOneofCase.Chunk } request && request.Chunk.Data.Length > 0 && owner.TakeOne())
            {
                var bytes = request.Chunk.Data.ToByteArray();
                bytes[bytes.Length / 2] ^= 0x10;
                var copy = request.Clone();
                copy.Chunk.Data = ByteString.CopyFrom(bytes);
                return (T)(object)copy;
            }

            return message;
        }
    }
}
