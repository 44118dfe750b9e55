using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace EdgeGateway.Benchmarks;

/// <summary>Command-line options and loopback ports for the end-to-end harnesses (load, fleetstore, evidence).</summary>
internal static class HarnessSupport
{
    /// <summary>The value after <paramref name="name"/> as an integer, or <paramref name="fallback"/>.</summary>
    public static int Option(string[] args, string name, int fallback) =>
        OptionString(args, name) is { } value ? int.Parse(value, CultureInfo.InvariantCulture) : fallback;

    /// <summary>The value after <paramref name="name"/>, or null.</summary>
    public static string? OptionString(string[] args, string name)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }

    /// <summary>An unused port on 127.0.0.1 for a server that must be told its port up front.</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
