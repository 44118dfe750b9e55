using EdgeGateway.Contracts.Evidence;
using System.Globalization;
using System.Security.Cryptography;
using EdgeGateway.Contracts.V1;
using FleetControl.Evidence;
using Google.Protobuf;
using Grpc.Net.Client;

namespace FleetControl.Tests.Evidence;

/// <summary>A minimal dock-side client for driving the vault directly: builds items, chains and chunks.</summary>
internal sealed class VaultClient : IDisposable
{
    private readonly GrpcChannel _channel;

    public VaultClient(string url)
        : this(GrpcChannel.ForAddress(url))
    {
    }

    /// <summary>Over a given channel (e.g. mutual TLS with a device certificate); disposed with this client.</summary>
    public VaultClient(GrpcChannel channel)
    {
        _channel = channel;
        Client = new EvidenceVault.EvidenceVaultClient(_channel);
    }

    public EvidenceVault.EvidenceVaultClient Client { get; }

    public static EvidenceItem Item(string id, byte[] data) => new()
    {
        EvidenceId = id,
        DeviceId = "dock-01",
        CameraSerial = "BWV1",
        FileName = "a.mp4",
        Size = (ulong)data.Length,
        Sha256 = Convert.ToHexStringLower(SHA256.HashData(data)),
        SidecarJson = "{}",
    };

    /// <summary>captured, docked, copied, hashed — the dock's part of the chain.</summary>
    public static List<CustodyLink> DockChain(string id, string sha256)
    {
        var chain = new List<CustodyLink>();
        var at = new DateTimeOffset(2026, 11, 23, 9, 0, 0, TimeSpan.Zero);
        foreach (var (evt, details) in new[] { ("captured", "file=a.mp4"), ("docked", "bay=1"), ("copied", "bytes=1"), ("hashed", "sha256=" + sha256 + " size=1") })
        {
            chain.Add(CustodyLink.Create(id, (ulong)chain.Count, at, evt, "dock-01", "dock", details, chain.Count == 0 ? CustodyLink.GenesisHash : chain[^1].Hash));
        }

        return chain;
    }

    public static CustodyLink Next(string id, List<CustodyLink> chain, string evt) =>
        CustodyLink.Create(id, (ulong)chain.Count, new DateTimeOffset(2026, 11, 23, 10, 0, 0, TimeSpan.Zero), evt, "dock-01", "dock", "x", chain[^1].Hash);

    /// <summary>Streams data[from..until) in chunks; corruptAt flips a bit in the chunk starting there (CRC computed before).</summary>
    public async Task<EvidenceReceipt> UploadAsync(
        EvidenceItem item, byte[] data, IEnumerable<CustodyLink>? custody, long from = 0, long? until = null, long corruptAt = -1, int chunk = 256 * 1024)
    {
        var ct = TestContext.Current.CancellationToken;
        using var call = Client.Upload(cancellationToken: ct);
        await call.RequestStream.WriteAsync(new UploadRequest { Header = new UploadHeader { Item = item, Offset = (ulong)from } }, ct);
        var end = until ?? data.Length;
        try
        {
            for (var offset = from; offset < end; offset += chunk)
            {
                var bytes = data.AsSpan((int)offset, (int)Math.Min(chunk, end - offset)).ToArray();
                var crc = Crc32C.Compute(bytes);
                if (offset == corruptAt)
                {
                    bytes[7] ^= 1;
                }

                await call.RequestStream.WriteAsync(new UploadRequest { Chunk = new UploadChunk { Offset = (ulong)offset, Data = ByteString.CopyFrom(bytes), Crc32C = crc } }, ct);
            }

            if (custody is not null)
            {
                var trailer = new UploadTrailer();
                trailer.Custody.AddRange(custody.Select(c => c.ToProto()));
                await call.RequestStream.WriteAsync(new UploadRequest { Trailer = trailer }, ct);
            }

            await call.RequestStream.CompleteAsync();
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The vault answered early; its status follows.
        }

        return await call.ResponseAsync.WaitAsync(TimeSpan.FromSeconds(30), ct);
    }

    public static byte[] RandomBytes(int length, int seed)
    {
        var data = new byte[length];
        new Random(seed).NextBytes(data);
        return data;
    }

    public static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    public void Dispose() => _channel.Dispose();
}
