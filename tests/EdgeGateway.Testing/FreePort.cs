using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace EdgeGateway.Testing;

/// <summary>Unused loopback TCP ports for servers a test must configure before they start.</summary>
/// <remarks>
/// A port the OS hands out for port 0 comes from the ephemeral range, the same range every outgoing connection on the
/// machine takes its local port from: between this check and the server's bind, another test's client could take it
/// ("address already in use", seen once in CI). So the port is chosen below the ephemeral range, where only servers
/// bind, at random (parallel test processes do not walk the same sequence) and never twice in one process, and checked
/// free by binding it.
/// </remarks>
public static class FreePort
{
    private const int Lowest = 10_000;
    private static readonly HashSet<int> Given = [];
    private static readonly int EphemeralLow = ReadEphemeralLow();

    /// <summary>A loopback port that was free a moment ago and that no outgoing connection will take.</summary>
    public static int Next()
    {
        lock (Given)
        {
            for (var attempt = 0; attempt < 200 && EphemeralLow > Lowest + 1000; attempt++)
            {
                var port = Random.Shared.Next(Lowest, EphemeralLow);
                if (!Given.Contains(port) && IsFree(port))
                {
                    Given.Add(port);
                    return port;
                }
            }

            using var listener = new TcpListener(IPAddress.Loopback, 0); // the OS's choice, as before
            listener.Start();
            return ((IPEndPoint)listener.LocalEndpoint).Port;
        }
    }

    private static bool IsFree(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    /// <summary>The first port of the ephemeral range (Linux: <c>net.ipv4.ip_local_port_range</c>; 32768 when unknown).</summary>
    private static int ReadEphemeralLow()
    {
        try
        {
            var text = File.ReadAllText("/proc/sys/net/ipv4/ip_local_port_range");
            var first = text.Split((char[])['\t', ' ', '\n'], StringSplitOptions.RemoveEmptyEntries)[0];
            return int.Parse(first, CultureInfo.InvariantCulture);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return 32768;
        }
    }
}
