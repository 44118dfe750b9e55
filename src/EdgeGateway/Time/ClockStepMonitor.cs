using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace EdgeGateway.Time;

/// <summary>Compares the clocks every <see cref="ClockOptions.CheckInterval"/>, so a step is logged (and dated) when it happens, not only at the next custody entry.</summary>
internal sealed class ClockStepMonitor(ClockStepJournal journal, IOptions<ClockOptions> options, TimeProvider time) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.CheckInterval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                journal.Check();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}
