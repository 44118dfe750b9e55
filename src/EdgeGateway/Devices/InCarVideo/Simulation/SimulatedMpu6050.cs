using System.Buffers.Binary;

namespace EdgeGateway.Devices.InCarVideo.Simulation;

/// <summary>
/// An MPU6050 register map: WHO_AM_I (0x75) answers 0x68, configuration registers read back what was written, and
/// ACCEL_XOUT_H.. (0x3B-0x40) hold the acceleration set with <see cref="SetAcceleration"/>, scaled by the full-scale
/// range in ACCEL_CONFIG (0x1C) as the chip does (16384 LSB/g at 2 g).
/// </summary>
internal sealed class SimulatedMpu6050(int bus, int address) : SimulatedI2cDevice(bus, address)
{
    private const byte AccelConfig = 0x1C;
    private const byte AccelXoutH = 0x3B;
    private const byte WhoAmI = 0x75;
    private readonly byte[] _registers = new byte[0x80];
    private double _x;
    private double _y;
    private double _z = 1.0;
    private long _sampleReads;

    /// <summary>Reads that covered the acceleration registers (the scenario holds a crash pulse until it was sampled).</summary>
    public long SampleReads => Interlocked.Read(ref _sampleReads);

    /// <summary>Sets the acceleration the chip measures, in g (at rest: 0, 0, 1).</summary>
    public void SetAcceleration(double xG, double yG, double zG)
    {
        lock (_registers)
        {
            (_x, _y, _z) = (xG, yG, zG);
        }
    }

    protected override void ReadAt(byte register, Span<byte> buffer)
    {
        lock (_registers)
        {
            _registers[WhoAmI] = 0x68;
            var lsbPerG = 16384 >> ((_registers[AccelConfig] >> 3) & 0x3);
            BinaryPrimitives.WriteInt16BigEndian(_registers.AsSpan(AccelXoutH), Clamp(_x * lsbPerG));
            BinaryPrimitives.WriteInt16BigEndian(_registers.AsSpan(AccelXoutH + 2), Clamp(_y * lsbPerG));
            BinaryPrimitives.WriteInt16BigEndian(_registers.AsSpan(AccelXoutH + 4), Clamp(_z * lsbPerG));
            for (var i = 0; i < buffer.Length; i++)
            {
                buffer[i] = _registers[(register + i) & 0x7F];
            }

            if (register <= AccelXoutH + 5 && register + buffer.Length > AccelXoutH)
            {
                _sampleReads++;
            }
        }
    }

    protected override void WriteAt(byte register, ReadOnlySpan<byte> data)
    {
        lock (_registers)
        {
            for (var i = 0; i < data.Length; i++)
            {
                _registers[(register + i) & 0x7F] = data[i];
            }
        }
    }

    private static short Clamp(double value) => (short)Math.Clamp(Math.Round(value), short.MinValue, short.MaxValue);
}
