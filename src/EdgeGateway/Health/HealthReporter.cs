using EdgeGateway.Contracts.V1;
using EdgeGateway.Core;
using EdgeGateway.Hosting;
using Google.Protobuf.WellKnownTypes;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EdgeGateway.Health;

/// <summary>
/// Builds the gateway's HealthReport from every <see cref="IHealthContributor"/>: rewrites the local
/// <c>health.json</c> every <see cref="HealthOptions.FileInterval"/> and sends the report to
/// FleetControl (through the outbox, stream "health", Telemetry class) every
/// <see cref="HealthOptions.ReportInterval"/>.
/// </summary>
internal sealed class HealthReporter : BackgroundService
{
    public const string Stream = "health";

    private readonly IEnumerable<IHealthContributor> _contributors;
    private readonly IObservationSink _sink;
    private readonly HealthOptions _options;
    private readonly GatewayOptions _gateway;
    private readonly TimeProvider _time;
    private readonly ILogger<HealthReporter> _logger;

    public HealthReporter(
        IEnumerable<IHealthContributor> contributors,
        IObservationSink sink,
        IOptions<HealthOptions> options,
        IOptions<GatewayOptions> gateway,
        TimeProvider time,
        ILogger<HealthReporter> logger)
    {
        _contributors = contributors;
        _sink = sink;
        _options = options.Value;
        _gateway = gateway.Value;
        _time = time;
        _logger = logger;
    }

    public string FilePath => HealthFile.PathIn(_gateway.DataDirectory);

    /// <summary>A fresh report with every contributor's part; a failing contributor is logged and skipped.</summary>
    public HealthReport BuildReport()
    {
        var report = new HealthReport { SoftwareVersion = GatewayVersion.Current };
        foreach (var contributor in _contributors)
        {
            try
            {
                contributor.Contribute(report);
            }
            catch (Exception exception)
            {
                Log.ContributorFailed(_logger, contributor.GetType().Name, exception);
            }
        }

        return report;
    }

    /// <summary>One tick: rewrite the file; when <paramref name="send"/>, also enqueue the report.</summary>
    public async Task ReportOnceAsync(bool send, CancellationToken cancellationToken)
    {
        var report = BuildReport();
        var now = _time.GetUtcNow();
        try
        {
            var json = HealthFile.Render(report, _gateway.DeviceId, _gateway.Role.ToString(), now);
            await HealthFile.WriteAtomicallyAsync(FilePath, json, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            Log.FileWriteFailed(_logger, FilePath, exception);
        }

        if (send)
        {
            var draft = new Envelope
            {
                Stream = Stream,
                Priority = PriorityClass.Telemetry,
                CapturedAt = Timestamp.FromDateTimeOffset(now),
                TimeSource = TimeSource.Local,
                Health = report,
            };
            var result = await _sink.AcceptAsync(draft, cancellationToken).ConfigureAwait(false);
            if (result == EnqueueResult.Accepted)
            {
                Log.Enqueued(_logger, report.LinkState);
            }
            else
            {
                Log.NotEnqueued(_logger, result);
            }
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Task.Yield();
        // The timer starts before the first report so the schedule does not drift by its duration.
        using var timer = new PeriodicTimer(_options.FileInterval, _time);
        var lastSent = _time.GetTimestamp();
        try
        {
            await ReportOnceAsync(send: true, stoppingToken).ConfigureAwait(false);
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                var send = _time.GetElapsedTime(lastSent) >= _options.ReportInterval - (_options.FileInterval / 2);
                if (send)
                {
                    lastSent = _time.GetTimestamp();
                }

                await ReportOnceAsync(send, stoppingToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }
}
