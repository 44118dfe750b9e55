namespace EdgeGateway.Transport;

/// <summary>
/// Opens a byte stream to a device (a serial port, a TCP socket, a test's in-memory pipe). Adapters
/// depend on this seam, never on <c>SerialPort</c> or <c>TcpClient</c>, so simulators and tests can feed bytes.
/// </summary>
internal interface IByteSourceConnector
{
    /// <summary>Where the bytes come from, for logs (e.g. <c>serial /dev/ttyUSB0 @ 9600</c>).</summary>
    string Description { get; }

    /// <summary>Opens a new connection. Throws (IOException, SocketException...) when the device cannot be reached.</summary>
    ValueTask<ByteSourceConnection> ConnectAsync(CancellationToken cancellationToken);
}
