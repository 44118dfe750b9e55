using System.Net;
using System.Net.Sockets;

namespace FleetControl.Tests.Infrastructure;

/// <summary>Finds a free TCP port on 127.0.0.1 by binding port 0.</summary>
internal static class FreePort
{
    public static int Get()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
