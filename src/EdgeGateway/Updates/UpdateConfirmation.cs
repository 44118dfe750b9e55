using System.Globalization;
using EdgeGateway.Contracts.V1;
using EdgeGateway.Core;
using EdgeGateway.Health;
using EdgeGateway.Hosting.Watchdog;
using Google.Protobuf.WellKnownTypes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EdgeGateway.Updates;

/// <summary>
/// The gateway's side of an update. Started by the supervisor as a candidate
/// (<see cref="CandidateVariable"/>), it commits the update once it is connected to FleetControl and every
/// watchdog probe is healthy; the supervisor rolls it back if that does not happen by
/// <see cref="UpdateOptions.HealthDeadline"/>. Every version then reports the last update's result to
/// FleetControl once, as an <c>update.committed</c> or <c>update.rolled-back</c> event.
/// </summary>
internal sealed class UpdateConfirmation(
    IOptions<UpdateOptions> options,
    IOptions<WatchdogOptions> watchdog,
    IServiceProvider services,
    TimeProvider time,
    ILogger<UpdateConfirmation> logger) : BackgroundService
{
    /// <summary>Set by the supervisor: the install root.</summary>
    public const string RootVariable = "EDGEGATEWAY_UPDATE_ROOT";

    /// <summary>Set by the supervisor when it starts a version on trial: that version.</summary>
    public const string CandidateVariable = "EDGEGATEWAY_UPDATE_CANDIDATE";

    /// <summary>The outbox stream of update results.</summary>
    public const string Stream = "updates";

    private static readonly TimeSpan CheckEvery = TimeSpan.FromSeconds(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var root = Environment.GetEnvironmentVariable(RootVariable) is { Length: > 0 } fromSupervisor ? fromSupervisor : options.Value.InstallRoot;
        if (string.IsNullOrEmpty(root))
        {
            return;
        }

        var layout = new InstallLayout(root);
        try
        {
            if (Environment.GetEnvironmentVariable(CandidateVariable) is { Length: > 0 } candidate)
            {
                await ConfirmAsync(layout, candidate, stoppingToken).ConfigureAwait(false);
            }

            await ReportAsync(layout, stoppingToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
        {
            Log.StateFailed(logger, e); // never stops the gateway: without a commit the supervisor rolls back
        }
    }

    private async Task ConfirmAsync(InstallLayout layout, string candidate, CancellationToken stoppingToken)
    {
        Log.OnTrial(logger, candidate);
        var started = time.GetTimestamp();
        using var timer = new PeriodicTimer(CheckEvery, time);
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
        {
            if (!IsHealthy())
            {
                continue;
            }

            var state = layout.ReadState();
            if (state?.Pending is not { } pending || pending.Version != candidate)
            {
                return; // rolled back or replaced meanwhile
            }

            var reason = string.Create(CultureInfo.InvariantCulture,
                $"connected to FleetControl with a healthy watchdog {time.GetElapsedTime(started).TotalSeconds:0.#} s after start (previous {pending.PreviousVersion})");
            (state with
            {
                Version = pending.Version,
                Slot = pending.Slot,
                Pending = null,
                LastResult = new UpdateResult(pending.Version, UpdateResult.Committed, reason, UpdateInstaller.Now(time)),
            }).Write(layout.StatePath);
            Log.Committed(logger, pending.Version, reason);
            return;
        }
    }

    private bool IsHealthy()
    {
        var reporter = services.GetServices<IHostedService>().OfType<HealthReporter>().FirstOrDefault();
        if (reporter is null || reporter.BuildReport().LinkState != LinkState.Connected)
        {
            return false;
        }

        var maxBusy = watchdog.Value.MaxBusy;
        return services.GetServices<IHostedService>().OfType<ILivenessSource>().All(s => !(s.Liveness.BusyFor(time) > maxBusy));
    }

    private async Task ReportAsync(InstallLayout layout, CancellationToken stoppingToken)
    {
        if (layout.ReadState() is not { LastResult: { Reported: false } result } || services.GetService<IObservationSink>() is not { } sink)
        {
            return;
        }

        if (result.Outcome != UpdateResult.Committed)
        {
            Log.LastUpdate(logger, result.Version, result.Outcome, result.Reason);
        }

        var evt = new DeviceEvent { Type = "update." + result.Outcome, Detail = $"update to {result.Version} {result.Outcome}: {result.Reason}" };
        evt.Attributes["version"] = result.Version;
        evt.Attributes["outcome"] = result.Outcome;
        evt.Attributes["at"] = result.At;
        var accepted = await sink.AcceptAsync(new Envelope
        {
            Stream = Stream,
            Priority = PriorityClass.Alert,
            CapturedAt = Timestamp.FromDateTimeOffset(time.GetUtcNow()),
            TimeSource = TimeSource.Local,
            Event = evt,
        }, stoppingToken).ConfigureAwait(false);
        if (accepted == EnqueueResult.Accepted && layout.ReadState() is { LastResult: { } same } state && same == result)
        {
            (state with { LastResult = result with { Reported = true } }).Write(layout.StatePath);
        }
    }
}
