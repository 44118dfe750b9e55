namespace EdgeGateway.Devices.InCarVideo;

/// <summary>The MPU6050 registers the FIFO drain sets itself (per the register map, rev 4.2), beside what the binding sets.</summary>
internal static class Mpu6050Registers
{
    /// <summary>SMPLRT_DIV: sample rate = 1 kHz (DLPF on) / (1 + value).</summary>
    public const byte SampleRateDivider = 0x19;

    /// <summary>CONFIG: DLPF_CFG in bits 0-2 (1-6: the gyroscope output, and so the sample clock, is 1 kHz).</summary>
    public const byte Config = 0x1A;

    /// <summary>FIFO_EN: which sensors go into the FIFO (bit 3: accelerometer).</summary>
    public const byte FifoSelect = 0x23;

    /// <summary>USER_CTRL.</summary>
    public const byte UserControl = 0x6A;

    /// <summary>USER_CTRL bit 6: FIFO on.</summary>
    public const byte FifoEnable = 0x40;

    /// <summary>USER_CTRL bit 2: empty the FIFO (clears itself).</summary>
    public const byte FifoReset = 0x04;

    /// <summary>FIFO_COUNT_H (then _L): bytes in the FIFO.</summary>
    public const byte FifoCountHigh = 0x72;

    /// <summary>FIFO_R_W: reading it pops the FIFO.</summary>
    public const byte FifoReadWrite = 0x74;

    /// <summary>The FIFO's size.</summary>
    public const int FifoBytes = 1024;
}
