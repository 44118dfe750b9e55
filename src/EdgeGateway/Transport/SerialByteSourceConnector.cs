using System.IO.Ports;

namespace EdgeGateway.Transport;

/// <summary>Opens a serial port through System.IO.Ports and hands out its <see cref="SerialPort.BaseStream"/>.</summary>
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
            return ValueTask.FromResult(new ByteSourceConnection(port.BaseStream, port));
        }
        catch
        {
            port.Dispose();
            throw;
        }
    }
}
