using System.IO.Ports;

namespace EdgeGateway.Transport;

/// <summary>
/// Opens a serial port through System.IO.Ports (line settings, exclusive lock) and hands out a
/// <see cref="TtyStream"/> on the same device for the bytes: System.IO.Ports' own stream polls the device
/// every millisecond while a read is pending, which costs an idle gateway a thousand wake-ups a second.
/// </summary>
internal sealed class SerialByteSourceConnector : IByteSourceConnector
{
    private readonly SerialTransportOptions _options;

    public SerialByteSourceConnector(SerialTransportOptions options)
    {
        _options = options;
    }

    public string Description => $"serial {_options.PortName} @ {_options.BaudRate}";

    public ValueTask<ByteSourceConnection> ConnectAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var port = new SerialPort(_options.PortName, _options.BaudRate, _options.Parity, _options.DataBits, _options.StopBits)
        {
            Handshake = Handshake.None,
            ReadTimeout = SerialPort.InfiniteTimeout,
        };
        try
        {
            port.Open();
            return ValueTask.FromResult(new ByteSourceConnection(TtyStream.Open(_options.PortName), port));
        }
        catch
        {
            port.Dispose();
            throw;
        }
    }
}
