using System.Globalization;
using EdgeGateway.Devices.Gnss;
using Iot.Device.Adc;
using Iot.Device.Imu;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EdgeGateway.Devices.InCarVideo;

/// <summary>
/// Sampled triggers: crash / harsh braking from the MPU6050 (horizontal acceleration at or above
/// <see cref="AccelerometerOptions.ThresholdG"/>, one pulse per <see cref="AccelerometerOptions.HoldOff"/>),
/// speed above <see cref="InCarVideoOptions.SpeedThresholdMps"/> from the current GNSS fix, and a low supply
/// from the INA219 (with hysteresis). A failed read is counted and logged once per run of failures; it never
/// stops the gateway.
/// </summary>
internal sealed class SensorMonitor(
    IVehicleHardware hardware,
    ITriggerPublisher publisher,
    InCarVideoCounters counters,
    IOptions<InCarVideoOptions> options,
    TimeProvider time,
    ILogger<SensorMonitor> logger,
    GnssCounters? gnss = null) : BackgroundService
{
    private const double StandardGravity = 9.80665;
    private readonly InCarVideoOptions _options = options.Value;

    // Kept across a reopen after a fault, so a recovered sensor does not repeat an "on".
    private bool _supplyLow;
    private bool _fast;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Task.Yield(); // the MPU6050 binding sleeps 200 ms while it resets the chip
        try
        {
            await Task.WhenAll(
                DeviceRetry.RunAsync("accelerometer (MPU6050)", AccelerometerLoopAsync, counters, _options.ReopenDelay, time, logger, stoppingToken),
                DeviceRetry.RunAsync("supply monitor (INA219) / speed", SlowLoopAsync, counters, _options.ReopenDelay, time, logger, stoppingToken)).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task AccelerometerLoopAsync(CancellationToken cancellationToken)
    {
        var settings = _options.Accelerometer;
        if (!settings.Enabled)
        {
            return;
        }

        using var device = hardware.OpenI2c(settings.Device);
        using var imu = new Mpu6050(device);
        Log.AccelerometerStarted(logger, settings.Device.Bus, settings.Device.Address, settings.ThresholdG, settings.SampleInterval);
        if (settings.Fifo)
        {
            await DrainFifoAsync(device, imu, cancellationToken).ConfigureAwait(false);
            return;
        }

        var failing = false;
        using var timer = new PeriodicTimer(settings.SampleInterval, time);
        while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
        {
            double g;
            try
            {
                var a = imu.GetAccelerometer(); // m/s^2
                g = Math.Sqrt((a.X * a.X) + (a.Y * a.Y)) / StandardGravity;
                failing = false;
                counters.AccelerometerSampled();
            }
            catch (IOException e)
            {
                failing = Fault("accelerometer", e, failing);
                continue;
            }

            CheckCrash(g, time.GetUtcNow());
        }
    }

    /// <summary>
    /// The chip samples on its own (SMPLRT_DIV: 1 kHz / (1 + div), the DLPF on) into its 1 KiB FIFO, accelerometer only
    /// (6 bytes a sample); every <see cref="AccelerometerOptions.BatchInterval"/> the FIFO is drained in one burst read and
    /// every sample checked, each dated back from the drain by its place in the batch. One wake-up per batch.
    /// </summary>
    private async Task DrainFifoAsync(System.Device.I2c.I2cDevice device, Mpu6050 imu, CancellationToken cancellationToken)
    {
        var settings = _options.Accelerometer;
        var divider = (byte)Math.Clamp(Math.Round(settings.SampleInterval.TotalMilliseconds) - 1, 0, 255);
        var period = TimeSpan.FromMilliseconds(divider + 1);
        device.Write([Mpu6050Registers.Config, 0x03]); // DLPF 44 Hz: the sample clock is 1 kHz
        device.Write([Mpu6050Registers.SampleRateDivider, divider]);
        imu.FifoModes = FifoModes.Accelerometer; // FIFO_EN: ACCEL_FIFO_EN
        var userControl = new byte[1];
        device.WriteRead([Mpu6050Registers.UserControl], userControl);
        device.Write([Mpu6050Registers.UserControl, (byte)(userControl[0] | Mpu6050Registers.FifoEnable | Mpu6050Registers.FifoReset)]);
        var buffer = new byte[Mpu6050Registers.FifoBytes];
        var range = new byte[1];
        device.WriteRead([0x1C], range); // ACCEL_CONFIG as the binding left it: AFS_SEL in bits 3-4
        var lsbPerG = (double)(16384 >> ((range[0] >> 3) & 0x3));
        var failing = false;
        using var timer = new PeriodicTimer(settings.BatchInterval, time);
        while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
        {
            int samples;
            try
            {
                var count = (int)imu.FifoCount;
                if (count >= Mpu6050Registers.FifoBytes)
                {
                    // Full: the oldest samples were overwritten. Counted, and the FIFO restarted on a sample boundary.
                    counters.FifoOverflowed();
                    device.WriteRead([Mpu6050Registers.UserControl], userControl);
                    device.Write([Mpu6050Registers.UserControl, (byte)(userControl[0] | Mpu6050Registers.FifoReset)]);
                    continue;
                }

                samples = count / 6;
                if (samples > 0)
                {
                    imu.ReadFifo(buffer.AsSpan(0, samples * 6));
                }

                failing = false;
                counters.FifoDrained(samples);
            }
            catch (IOException e)
            {
                failing = Fault("accelerometer", e, failing);
                continue;
            }

            var now = time.GetUtcNow();
            for (var i = 0; i < samples; i++)
            {
                var x = System.Buffers.Binary.BinaryPrimitives.ReadInt16BigEndian(buffer.AsSpan(i * 6)) / lsbPerG;
                var y = System.Buffers.Binary.BinaryPrimitives.ReadInt16BigEndian(buffer.AsSpan((i * 6) + 2)) / lsbPerG;
                CheckCrash(Math.Sqrt((x * x) + (y * y)), now - ((samples - 1 - i) * period));
            }
        }
    }

    private DateTimeOffset? _lastCrash;

    private void CheckCrash(double g, DateTimeOffset at)
    {
        var settings = _options.Accelerometer;
        if (g >= settings.ThresholdG && (_lastCrash is null || at - _lastCrash >= settings.HoldOff))
        {
            _lastCrash = at;
            var text = g.ToString("0.00", CultureInfo.InvariantCulture);
            publisher.Publish(new TriggerSignal(TriggerSources.Crash, TriggerState.Pulse, at,
                $"{text} g horizontal (threshold {settings.ThresholdG.ToString("0.00", CultureInfo.InvariantCulture)} g)",
                new Dictionary<string, string> { ["g"] = text, ["sensor"] = "mpu6050" }));
        }
    }

    private async Task SlowLoopAsync(CancellationToken cancellationToken)
    {
        var supply = _options.Supply;
        var speedOn = _options.SpeedThresholdMps > 0 && gnss is not null;
        if (!supply.Enabled && !speedOn)
        {
            return;
        }

        using var device = supply.Enabled ? hardware.OpenI2c(supply.Device) : null;
        using var ina = device is null ? null : new Ina219(device);
        var failing = false;
        using var timer = new PeriodicTimer(_options.SlowSampleInterval, time);
        do
        {
            var now = time.GetUtcNow();
            if (speedOn)
            {
                var speed = gnss!.LastSpeedMps;
                var threshold = _options.SpeedThresholdMps;
                // 10 % hysteresis: a car cruising at the threshold does not start and stop recording every second.
                if (!double.IsNaN(speed) && (_fast ? speed < threshold * 0.9 : speed >= threshold))
                {
                    _fast = !_fast;
                    var text = speed.ToString("0.0", CultureInfo.InvariantCulture);
                    publisher.Publish(new TriggerSignal(TriggerSources.Speed, _fast ? TriggerState.On : TriggerState.Off, now,
                        $"{text} m/s from the GNSS fix (threshold {threshold.ToString("0.0", CultureInfo.InvariantCulture)} m/s)",
                        new Dictionary<string, string> { ["speed_mps"] = text }));
                }
            }

            if (ina is not null)
            {
                try
                {
                    var volts = ina.ReadBusVoltage().Volts;
                    failing = false;
                    if (_supplyLow ? volts > supply.LowVolts + supply.HysteresisVolts : volts < supply.LowVolts)
                    {
                        _supplyLow = !_supplyLow;
                        var text = volts.ToString("0.00", CultureInfo.InvariantCulture);
                        publisher.Publish(new TriggerSignal(TriggerSources.SupplyLow, _supplyLow ? TriggerState.On : TriggerState.Off, now,
                            $"supply {text} V (low below {supply.LowVolts.ToString("0.00", CultureInfo.InvariantCulture)} V)",
                            new Dictionary<string, string> { ["volts"] = text, ["sensor"] = "ina219" }));
                    }
                }
                catch (IOException e)
                {
                    failing = Fault("supply monitor", e, failing);
                }
            }
            counters.SlowSampled();
        }
        while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false));
    }

    /// <summary>Counts a failed read; logs only the first of a run. Returns the new failing state.</summary>
    private bool Fault(string sensor, IOException e, bool failing)
    {
        counters.SensorFault();
        if (!failing)
        {
            Log.SensorReadFailed(logger, sensor, e.Message);
        }

        return true;
    }
}
