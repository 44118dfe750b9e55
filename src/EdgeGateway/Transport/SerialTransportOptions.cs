using System.ComponentModel.DataAnnotations;
using System.IO.Ports;

namespace EdgeGateway.Transport;

/// <summary>A serial (RS-232/USB) device: section <c>...:Serial</c>.</summary>
public sealed class SerialTransportOptions
{
    /// <summary>Device name, e.g. <c>/dev/ttyUSB0</c> or <c>/dev/serial/by-id/...</c>.</summary>
    [Required(ErrorMessage = "PortName is required for the serial transport.")]
    public string PortName { get; set; } = string.Empty;

    /// <summary>Line speed; NMEA 0183 receivers default to 4800 or 9600.</summary>
    [Range(300, 4_000_000, ErrorMessage = "BaudRate must be between 300 and 4000000.")]
    public int BaudRate { get; set; } = 9600;

    /// <summary>Data bits per character (NMEA: 8).</summary>
    [Range(5, 8, ErrorMessage = "DataBits must be 5 to 8.")]
    public int DataBits { get; set; } = 8;

    /// <summary>Parity (NMEA: None).</summary>
    [EnumDataType(typeof(Parity))]
    public Parity Parity { get; set; } = Parity.None;

    /// <summary>Stop bits (NMEA: One).</summary>
    [EnumDataType(typeof(StopBits))]
    public StopBits StopBits { get; set; } = StopBits.One;
}
