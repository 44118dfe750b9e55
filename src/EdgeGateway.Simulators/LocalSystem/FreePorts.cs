using System.Net;
using System.Net.Sockets;

namespace EdgeGateway.Simulators.LocalSystem;

/// <summary>Finds unused loopback TCP ports for child processes that must be told their port up front.</summary>
internal static class FreePorts
{
    /// <summary>Asks the OS for a free port on 127.0.0.1 (bind to 0, read it back, release it).</summary>
    public static int Next()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
