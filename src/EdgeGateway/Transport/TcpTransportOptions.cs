using System.ComponentModel.DataAnnotations;

namespace EdgeGateway.Transport;

/// <summary>A device reached over TCP (serial-to-Ethernet bridge, receiver with a TCP NMEA server).</summary>
public sealed class TcpTransportOptions
{
    /// <summary>Host name or address.</summary>
    [Required(ErrorMessage = "Host is required for the TCP transport.")]
    public string Host { get; set; } = string.Empty;

    /// <summary>TCP port.</summary>
    [Range(1, 65535, ErrorMessage = "Port must be 1-65535.")]
    public int Port { get; set; }

    /// <summary>How long one connection attempt may take.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(10);
}
