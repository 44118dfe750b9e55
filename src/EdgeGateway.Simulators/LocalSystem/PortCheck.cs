using System.Net;
using System.Net.Sockets;

namespace EdgeGateway.Simulators.LocalSystem;

/// <summary>Names a port that is already taken before anything starts, instead of a child process failing later.</summary>
internal static class PortCheck
{
    /// <summary>Throws a <see cref="Cli.CliFailureException"/> naming the port, its use and the option that moves it, if it is in use.</summary>
    public static void EnsureFree(int port, string use, string option)
    {
        try
        {
            var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            listener.Stop();
        }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.AddressAlreadyInUse or SocketError.AccessDenied)
        {
            var why = e.SocketErrorCode == SocketError.AddressAlreadyInUse ? "is already in use by another program" : "may not be opened by this user";
            throw new Cli.CliFailureException($"port {port} ({use}) {why}; stop that program or choose another port with {option} N");
        }
    }
}
