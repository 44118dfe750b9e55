using System.Buffers.Binary;

namespace EdgeGateway.Devices.InCarVideo.Simulation;

/// <summary>
/// An INA219 register map: 16-bit big-endian registers addressed by the pointer (no auto-increment). The bus voltage
/// register (0x02) holds the supply set with <see cref="SetBusVolts"/> in 4 mV steps from bit 3, with the
/// conversion-ready bit set; configuration (0x00) starts at the power-on 0x399F and reads back what was written.
/// </summary>
internal sealed class SimulatedIna219(int bus, int address) : SimulatedI2cDevice(bus, address)
{
    private const byte BusVoltage = 0x02;
    private readonly ushort[] _registers = [0x399F, 0, 0, 0, 0, 0];
    private double _volts = 13.8;

    /// <summary>Sets the bus (supply) voltage the chip measures.</summary>
    public void SetBusVolts(double volts)
    {
        lock (_registers)
        {
            _volts = volts;
        }
    }

    protected override void ReadAt(byte register, Span<byte> buffer)
    {
        lock (_registers)
        {
            var steps = (ushort)Math.Clamp(Math.Round(_volts * 1000 / 4), 0, 8191);
            _registers[BusVoltage] = (ushort)((steps << 3) | 0x2);
            Span<byte> value = stackalloc byte[2];
            BinaryPrimitives.WriteUInt16BigEndian(value, register < _registers.Length ? _registers[register] : (ushort)0);
            for (var i = 0; i < buffer.Length; i++)
            {
                buffer[i] = value[i % 2];
            }
        }
    }

    protected override void WriteAt(byte register, ReadOnlySpan<byte> data)
    {
        if (data.Length >= 2 && register < _registers.Length && register != BusVoltage)
        {
            lock (_registers)
            {
                _registers[register] = BinaryPrimitives.ReadUInt16BigEndian(data);
            }
        }
    }
}
