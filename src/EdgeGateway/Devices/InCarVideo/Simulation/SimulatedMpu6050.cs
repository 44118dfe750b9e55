using System.Buffers.Binary;

namespace EdgeGateway.Devices.InCarVideo.Simulation;

/// <summary>
/// An MPU6050 register map: WHO_AM_I (0x75) answers 0x68, configuration registers read back what was written, and
/// ACCEL_XOUT_H.. (0x3B-0x40) hold the acceleration set with <see cref="SetAcceleration"/>, scaled by the full-scale
/// range in ACCEL_CONFIG (0x1C) as the chip does (16384 LSB/g at 2 g). The FIFO works as on the chip for the
/// accelerometer: with USER_CTRL.FIFO_EN and FIFO_EN.ACCEL_FIFO_EN set, a sample (6 bytes) goes in every
/// 1 ms x (1 + SMPLRT_DIV), holding the acceleration of that moment; FIFO_COUNT_H/L count its bytes, FIFO_R_W pops
/// them, a full FIFO (1 KiB) drops the oldest, USER_CTRL.FIFO_RESET empties it. Samples are filled in when the FIFO is
/// read, from the history of <see cref="SetAcceleration"/>, so a short pulse is in it whenever the drain comes.
/// </summary>
internal sealed class SimulatedMpu6050(int bus, int address, TimeProvider? time = null) : SimulatedI2cDevice(bus, address)
{
    private const byte AccelConfig = 0x1C;
    private const byte AccelXoutH = 0x3B;
    private const byte WhoAmI = 0x75;
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly byte[] _registers = new byte[0x80];
    private readonly Queue<byte> _fifo = new();
    private readonly List<(long At, double X, double Y, double Z)> _history = [];
    private double _x;
    private double _y;
    private double _z = 1.0;
    private long _sampleReads;
    private long _nextSample;
    private long _overflows;

    /// <summary>Reads that covered the acceleration registers, plus FIFO samples read (the scenario holds a crash pulse until it was sampled).</summary>
    public long SampleReads => Interlocked.Read(ref _sampleReads);

    /// <summary>Samples the full FIFO dropped.</summary>
    public long Overflows => Interlocked.Read(ref _overflows);

    /// <summary>Sets the acceleration the chip measures, in g (at rest: 0, 0, 1).</summary>
    public void SetAcceleration(double xG, double yG, double zG)
    {
        lock (_registers)
        {
            if (FifoOn)
            {
                _history.Add((_time.GetTimestamp(), _x, _y, _z)); // what held until now
            }

            (_x, _y, _z) = (xG, yG, zG);
        }
    }

    private bool FifoOn => (_registers[Mpu6050Registers.UserControl] & Mpu6050Registers.FifoEnable) != 0
        && (_registers[Mpu6050Registers.FifoSelect] & 0x08) != 0;

    protected override void ReadAt(byte register, Span<byte> buffer)
    {
        lock (_registers)
        {
            if (register == Mpu6050Registers.FifoReadWrite)
            {
                Fill();
                var n = 0;
                for (; n < buffer.Length && _fifo.Count > 0; n++)
                {
                    buffer[n] = _fifo.Dequeue();
                }

                buffer[n..].Clear();
                _sampleReads += n / 6;
                return;
            }

            _registers[WhoAmI] = 0x68;
            var lsbPerG = LsbPerG;
            BinaryPrimitives.WriteInt16BigEndian(_registers.AsSpan(AccelXoutH), Clamp(_x * lsbPerG));
            BinaryPrimitives.WriteInt16BigEndian(_registers.AsSpan(AccelXoutH + 2), Clamp(_y * lsbPerG));
            BinaryPrimitives.WriteInt16BigEndian(_registers.AsSpan(AccelXoutH + 4), Clamp(_z * lsbPerG));
            if (register <= Mpu6050Registers.FifoCountHigh + 1 && register + buffer.Length > Mpu6050Registers.FifoCountHigh)
            {
                Fill();
                BinaryPrimitives.WriteUInt16BigEndian(_registers.AsSpan(Mpu6050Registers.FifoCountHigh), (ushort)_fifo.Count);
            }

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
            var wasOn = FifoOn;
            for (var i = 0; i < data.Length; i++)
            {
                _registers[(register + i) & 0x7F] = data[i];
            }

            if ((_registers[Mpu6050Registers.UserControl] & Mpu6050Registers.FifoReset) != 0)
            {
                _registers[Mpu6050Registers.UserControl] &= unchecked((byte)~Mpu6050Registers.FifoReset); // self-clearing
                _fifo.Clear();
                _history.Clear();
                _nextSample = _time.GetTimestamp() + Period;
            }
            else if (!wasOn && FifoOn)
            {
                _history.Clear();
                _nextSample = _time.GetTimestamp() + Period;
            }
        }
    }

    private double LsbPerG => 16384 >> ((_registers[AccelConfig] >> 3) & 0x3);

    private long Period => _time.TimestampFrequency * (1 + _registers[Mpu6050Registers.SampleRateDivider]) / 1000;

    /// <summary>Puts in the samples taken since the last fill, each with the acceleration of its moment.</summary>
    private void Fill()
    {
        if (!FifoOn)
        {
            return;
        }

        var now = _time.GetTimestamp();
        var lsbPerG = LsbPerG;
        var change = 0;
        Span<byte> sample = stackalloc byte[6];
        for (; _nextSample <= now; _nextSample += Period)
        {
            while (change < _history.Count && _history[change].At < _nextSample)
            {
                change++;
            }

            var (x, y, z) = change < _history.Count ? (_history[change].X, _history[change].Y, _history[change].Z) : (_x, _y, _z);
            BinaryPrimitives.WriteInt16BigEndian(sample, Clamp(x * lsbPerG));
            BinaryPrimitives.WriteInt16BigEndian(sample[2..], Clamp(y * lsbPerG));
            BinaryPrimitives.WriteInt16BigEndian(sample[4..], Clamp(z * lsbPerG));
            foreach (var b in sample)
            {
                _fifo.Enqueue(b);
            }

            while (_fifo.Count > Mpu6050Registers.FifoBytes)
            {
                for (var i = 0; i < 6; i++)
                {
                    _fifo.Dequeue();
                }

                _overflows++;
            }
        }

        _history.RemoveRange(0, change);
    }

    private static short Clamp(double value) => (short)Math.Clamp(Math.Round(value), short.MinValue, short.MaxValue);
}
