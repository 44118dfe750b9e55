using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EdgeGateway.Devices.InCarVideo.Simulation;

/// <summary>
/// Plays <see cref="InCarVideoOptions.ScenarioFile"/> on the simulated harness (<c>./run.sh</c>'s vehicles): each
/// step at its offset after start. Sleeps between steps; idle once the script is done.
/// </summary>
internal sealed class ScenarioPlayer(
    SimulatedVehicleHardware hardware,
    IOptions<InCarVideoOptions> options,
    TimeProvider time,
    ILogger<ScenarioPlayer> logger) : BackgroundService
{
    /// <summary>How long a crash pulse lasts at least.</summary>
    private static readonly TimeSpan Pulse = TimeSpan.FromMilliseconds(100);

    /// <summary>How long a button is held beyond the debounce time (a firm press).</summary>
    private static readonly TimeSpan Press = TimeSpan.FromMilliseconds(500);

    /// <summary>A crash pulse is held until the accelerometer was read twice during it, at most this long (a busy machine must not lose the scripted crash).</summary>
    private static readonly TimeSpan PulseLimit = TimeSpan.FromSeconds(5);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        if (settings.ScenarioFile is not { Length: > 0 } file)
        {
            return;
        }

        // Already validated at start-up (InCarVideoOptions.Validate), so no errors here.
        var (steps, _) = VehicleScenario.Parse(await File.ReadAllLinesAsync(file, stoppingToken).ConfigureAwait(false), settings.Inputs.Select(i => i.Source).ToArray());
        var start = time.GetTimestamp();
        try
        {
            foreach (var step in steps.Where(s => !VehicleScenario.IsInitialState(s))) // those are set before start (SimulatedVehicleHardware)
            {
                var wait = step.Offset - time.GetElapsedTime(start);
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait, time, stoppingToken).ConfigureAwait(false);
                }

                Log.ScenarioStep(logger, step.Offset, step.Text);
                switch (step.Target, step.Action)
                {
                    case ("accel", _):
                        await CrashPulseAsync(step.Value, stoppingToken).ConfigureAwait(false);
                        break;
                    case ("supply", _):
                        hardware.Supply.SetBusVolts(step.Value);
                        break;
                    case (_, "press"):
                        hardware.SetInput(step.Target, true);
                        await Task.Delay(settings.Debounce + Press, time, stoppingToken).ConfigureAwait(false);
                        hardware.SetInput(step.Target, false);
                        break;
                    default:
                        hardware.SetInput(step.Target, step.Action == "on");
                        break;
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task CrashPulseAsync(double g, CancellationToken cancellationToken)
    {
        var reads = hardware.Accelerometer.SampleReads;
        var started = time.GetTimestamp();
        hardware.SetHorizontalG(g);
        await Task.Delay(Pulse, time, cancellationToken).ConfigureAwait(false);
        while (hardware.Accelerometer.SampleReads < reads + 2 && time.GetElapsedTime(started) < PulseLimit)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(10), time, cancellationToken).ConfigureAwait(false);
        }

        hardware.SetHorizontalG(0);
    }
}
