using System.Net;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace FleetControl.Hosting;

/// <summary>The two Kestrel endpoints; after start their ports are the bound ones (also when configured as 0).</summary>
internal sealed class FleetEndpoints
{
    public ListenOptions? Rest { get; set; }

    public ListenOptions? Grpc { get; set; }

    /// <summary>Whether the REST endpoint serves TLS (it does unless the development plaintext override is on).</summary>
    public bool RestTls { get; set; }

    public Uri RestUri => ToUri(Rest, RestTls ? "https" : "http");

    /// <summary>Whether the gRPC endpoint serves TLS (it does unless the development plaintext override is on).</summary>
    public bool GrpcTls { get; set; }

    public Uri GrpcUri => ToUri(Grpc, GrpcTls ? "https" : "http");

    private static Uri ToUri(ListenOptions? listen, string scheme = "http")
    {
        var endpoint = listen?.IPEndPoint ?? throw new InvalidOperationException("Kestrel endpoints are not configured yet.");
        var host = endpoint.Address.Equals(IPAddress.Any) ? "127.0.0.1"
            : endpoint.Address.Equals(IPAddress.IPv6Any) ? "[::1]"
            : endpoint.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{endpoint.Address}]"
            : endpoint.Address.ToString();
        return new Uri($"{scheme}://{host}:{endpoint.Port}");
    }
}
