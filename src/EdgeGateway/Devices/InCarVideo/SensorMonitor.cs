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
        DateTimeOffset? lastCrash = null;
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

            var now = time.GetUtcNow();
            if (g >= settings.ThresholdG && (lastCrash is null || now - lastCrash >= settings.HoldOff))
            {
                lastCrash = now;
                var text = g.ToString("0.00", CultureInfo.InvariantCulture);
                publisher.Publish(new TriggerSignal(TriggerSources.Crash, TriggerState.Pulse, now,
                    $"{text} g horizontal (threshold {settings.ThresholdG.ToString("0.00", CultureInfo.InvariantCulture)} g)",
                    new Dictionary<string, string> { ["g"] = text, ["sensor"] = "mpu6050" }));
            }
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
