using System.Device.I2c;

namespace EdgeGateway.Devices.InCarVideo.Simulation;

/// <summary>
/// An I2C chip as its register map: the first byte of a write sets the register pointer, the rest are written
/// from there; a read returns bytes from the pointer on. The binding talks to it exactly as to <c>/dev/i2c-N</c>.
/// Byte-wide registers with auto-increment by default (MCP23017, MPU6050); a chip with wider registers overrides
/// <see cref="ReadAt"/> and <see cref="WriteAt"/>.
/// </summary>
internal abstract class SimulatedI2cDevice(int bus, int address) : I2cDevice
{
    private readonly Lock _gate = new();
    private byte _pointer;

    public override I2cConnectionSettings ConnectionSettings { get; } = new(bus, address);

    /// <summary>Reads <paramref name="buffer"/>.Length bytes starting at register <paramref name="register"/>.</summary>
    protected abstract void ReadAt(byte register, Span<byte> buffer);

    /// <summary>Writes <paramref name="data"/> starting at register <paramref name="register"/>.</summary>
    protected abstract void WriteAt(byte register, ReadOnlySpan<byte> data);

    public override byte ReadByte()
    {
        Span<byte> one = stackalloc byte[1];
        Read(one);
        return one[0];
    }

    public override void Read(Span<byte> buffer)
    {
        lock (_gate)
        {
            ReadAt(_pointer, buffer);
        }
    }

    public override void WriteByte(byte value) => Write([value]);

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        if (buffer.IsEmpty)
        {
            return;
        }

        lock (_gate)
        {
            _pointer = buffer[0];
            if (buffer.Length > 1)
            {
                WriteAt(_pointer, buffer[1..]);
            }
        }
    }

    public override void WriteRead(ReadOnlySpan<byte> writeBuffer, Span<byte> readBuffer)
    {
        lock (_gate)
        {
            Write(writeBuffer);
            Read(readBuffer);
        }
    }
}
