using System.Net;
using System.Net.Sockets;
using EdgeGateway.Hosting;
using Microsoft.Extensions.Options;

namespace EdgeGateway.Health.Metrics;

/// <summary>
/// The metrics endpoint's listening socket, bound before the host starts (<see cref="IStartupCheck"/>): a port
/// another program holds stops the gateway with one line naming the port and the setting to change.
/// </summary>
internal sealed class MetricsListener(IOptions<MetricsOptions> options) : IStartupCheck, IDisposable
{
    private readonly Lock _gate = new();
    private TcpListener? _listener;

    /// <summary>The bound listener; null while the endpoint is disabled.</summary>
    public TcpListener? Listener
    {
        get
        {
            Check();
            return _listener;
        }
    }

    /// <summary>Binds the port once (idempotent); a no-op while <c>Metrics:Enabled</c> is false.</summary>
    public void Check()
    {
        var settings = options.Value;
        lock (_gate)
        {
            if (!settings.Enabled || _listener is not null)
            {
                return;
            }

            var listener = new TcpListener(IPAddress.Parse(settings.Address), settings.Port);
            try
            {
                listener.Start();
            }
            catch (SocketException e)
            {
                listener.Dispose();
                throw new OptionsValidationException(MetricsOptions.SectionName + ":Port", typeof(MetricsOptions), [Describe(settings, e)]);
            }

            _listener = listener;
        }
    }

    /// <summary>The refusal: which port, why, and which setting to change.</summary>
    internal static string Describe(MetricsOptions settings, SocketException e) => e.SocketErrorCode switch
    {
        SocketError.AddressAlreadyInUse =>
            $"port {settings.Port} on {settings.Address} (the Prometheus metrics endpoint) is already in use by another program: "
            + $"set Metrics:Port to a free port, or Metrics:Enabled=false to turn the endpoint off.",
        SocketError.AddressNotAvailable =>
            $"Metrics:Address {settings.Address} is not an address of this machine: set Metrics:Address to one of its addresses (127.0.0.1 by default).",
        SocketError.AccessDenied =>
            $"port {settings.Port} on {settings.Address} (the Prometheus metrics endpoint) needs privileges this service does not have: "
            + $"set Metrics:Port to a port above 1023.",
        _ => $"port {settings.Port} on {settings.Address} (the Prometheus metrics endpoint) cannot be used ({e.Message}): "
            + $"change Metrics:Port or Metrics:Address, or set Metrics:Enabled=false.",
    };

    public void Dispose()
    {
        lock (_gate)
        {
            _listener?.Dispose();
        }
    }
}
