using System.ComponentModel.DataAnnotations;
using System.Diagnostics.CodeAnalysis;
using EdgeGateway.Hosting;

namespace EdgeGateway.Devices.InCarVideo;

/// <summary>The crash / harsh-braking accelerometer (an MPU6050 on I2C).</summary>
[UnconditionalSuppressMessage("Trimming", "IL2026", Justification = OptionsValidation.KeptWhole)]
public sealed class AccelerometerOptions
{
    /// <summary>Whether one is fitted.</summary>
    public bool Enabled { get; set; }

    /// <summary>Its bus and address (MPU6050: 0x68).</summary>
    public I2cDeviceOptions Device { get; set; } = new() { Address = 0x68 };

    /// <summary>Horizontal acceleration (g) that counts as a crash or harsh braking.</summary>
    [Range(0.1, 15.0, ErrorMessage = "InCarVideo:Accelerometer:ThresholdG must be between 0.1 and 15 g.")]
    public double ThresholdG { get; set; } = 1.5;

    /// <summary>How often it is read (a crash pulse lasts tens of milliseconds).</summary>
    [Range(typeof(TimeSpan), "00:00:00.005", "00:00:01", ErrorMessage = "InCarVideo:Accelerometer:SampleInterval must be between 5 ms and 1 s.")]
    public TimeSpan SampleInterval { get; set; } = TimeSpan.FromMilliseconds(20);

    /// <summary>
    /// Read through the chip's 1 KiB FIFO (true, the default): the MPU6050 samples every <see cref="SampleInterval"/> on
    /// its own and the gateway drains the FIFO every <see cref="BatchInterval"/>, checking every sample, so an idle vehicle
    /// wakes once per batch instead of once per sample. False reads the acceleration registers every sample.
    /// </summary>
    public bool Fifo { get; set; } = true;

    /// <summary>How often the FIFO is drained (it holds 170 samples: 3.4 s at 20 ms); a crash is reported at most this late, with its sample's time.</summary>
    [Range(typeof(TimeSpan), "00:00:00.020", "00:00:03", ErrorMessage = "InCarVideo:Accelerometer:BatchInterval must be between 20 ms and 3 s (the FIFO holds 170 samples).")]
    public TimeSpan BatchInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>After a crash trigger, further readings above the threshold within this time belong to the same event.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:10:00", ErrorMessage = "InCarVideo:Accelerometer:HoldOff must be between 0 and 10 minutes.")]
    public TimeSpan HoldOff { get; set; } = TimeSpan.FromSeconds(5);
}
