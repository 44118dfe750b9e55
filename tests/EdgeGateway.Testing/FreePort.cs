using System.Net;
using System.Net.Sockets;

namespace EdgeGateway.Testing;

/// <summary>Unused loopback TCP ports for servers a test must configure before they start.</summary>
public static class FreePort
{
    /// <summary>Binds 127.0.0.1:0, reads the port the OS chose, releases it.</summary>
    public static int Next()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
