namespace EdgeGateway.Devices.InCarVideo.Simulation;

/// <summary>
/// An MCP23017 16-line expander in its power-on register layout (IOCON.BANK = 0: A/B registers paired, sequential
/// addressing). Reading GPIOA/GPIOB (0x12/0x13) returns the level of the lines set with <see cref="SetInput"/>,
/// inverted where IPOL says so; every other register reads back what was written (IODIR starts as all inputs).
/// </summary>
internal sealed class SimulatedMcp23017 : SimulatedI2cDevice
{
    private const byte IodirA = 0x00;
    private const byte IpolA = 0x02;
    private const byte GpioA = 0x12;
    private const byte GpioB = 0x13;
    private const byte OlatA = 0x14;
    private readonly byte[] _registers = new byte[0x16];
    private ushort _inputs;

    public SimulatedMcp23017(int bus, int address)
        : base(bus, address)
    {
        _registers[IodirA] = 0xFF;
        _registers[IodirA + 1] = 0xFF;
    }

    /// <summary>Sets the electrical level of line <paramref name="pin"/> (0-7 = GPA0-7, 8-15 = GPB0-7).</summary>
    public void SetInput(int pin, bool high)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan((uint)pin, 15u, nameof(pin));
        lock (_registers)
        {
            _inputs = high ? (ushort)(_inputs | (1 << pin)) : (ushort)(_inputs & ~(1 << pin));
        }
    }

    protected override void ReadAt(byte register, Span<byte> buffer)
    {
        lock (_registers)
        {
            for (var i = 0; i < buffer.Length; i++)
            {
                var r = (byte)((register + i) % _registers.Length);
                buffer[i] = r switch
                {
                    GpioA or GpioB => Port(r - GpioA),
                    _ => _registers[r],
                };
            }
        }
    }

    protected override void WriteAt(byte register, ReadOnlySpan<byte> data)
    {
        lock (_registers)
        {
            for (var i = 0; i < data.Length; i++)
            {
                var r = (byte)((register + i) % _registers.Length);
                // Writing GPIO writes the output latch, as on the chip.
                _registers[r is GpioA or GpioB ? r + (OlatA - GpioA) : r] = data[i];
            }
        }
    }

    private byte Port(int port)
    {
        var direction = _registers[IodirA + port];
        var inputs = (byte)((_inputs >> (8 * port)) ^ _registers[IpolA + port]);
        var outputs = _registers[OlatA + port];
        return (byte)((inputs & direction) | (outputs & ~direction));
    }
}
