using EdgeGateway.Contracts.V1;
using EdgeGateway.Core;
using Google.Protobuf.WellKnownTypes;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EdgeGateway.Devices.Anpr;

/// <summary>
/// Raises a fault when a camera goes quiet: a camera that has posted (or is listed in
/// <see cref="AnprOptions.ExpectedCameras"/>) and then sends nothing for <see cref="AnprOptions.CameraSilenceTimeout"/>
/// gets one <c>anpr.camera_silent</c> Event (and an error log); its next read sends <c>anpr.camera_resumed</c>.
/// The loop sleeps until the earliest deadline, so an idle vehicle wakes once per timeout at most.
/// </summary>
internal sealed class AnprCameraMonitor : BackgroundService
{
    private readonly AnprOptions _options;
    private readonly IObservationSink _sink;
    private readonly AnprCounters _counters;
    private readonly TimeProvider _time;
    private readonly ILogger<AnprCameraMonitor> _logger;
    private readonly Lock _lock = new();
    private readonly Dictionary<string, (DateTimeOffset LastSeen, bool Faulted)> _cameras = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _changed = new(0);
    private readonly List<string> _resumed = [];

    public AnprCameraMonitor(IOptions<AnprOptions> options, IObservationSink sink, AnprCounters counters, TimeProvider time, ILogger<AnprCameraMonitor> logger)
    {
        _options = options.Value;
        _sink = sink;
        _counters = counters;
        _time = time;
        _logger = logger;
        var now = time.GetUtcNow();
        foreach (var camera in _options.ExpectedCameras)
        {
            _cameras[camera] = (now, false);
        }
    }

    /// <summary>Cameras currently in fault.</summary>
    public IReadOnlyList<string> Faulted
    {
        get
        {
            lock (_lock)
            {
                return [.. _cameras.Where(c => c.Value.Faulted).Select(c => c.Key)];
            }
        }
    }

    /// <summary>A read from <paramref name="cameraId"/> arrived.</summary>
    public void Seen(string cameraId, DateTimeOffset at)
    {
        bool wake;
        lock (_lock)
        {
            wake = !_cameras.TryGetValue(cameraId, out var state) || state.Faulted;
            if (state.Faulted)
            {
                _resumed.Add(cameraId);
            }

            _cameras[cameraId] = (at, false);
        }

        if (wake)
        {
            _changed.Release();
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            var now = _time.GetUtcNow();
            var silent = new List<string>();
            List<string> resumed;
            DateTimeOffset? next = null;
            lock (_lock)
            {
                foreach (var (camera, state) in _cameras)
                {
                    if (state.Faulted)
                    {
                        continue;
                    }

                    var deadline = state.LastSeen + _options.CameraSilenceTimeout;
                    if (deadline <= now)
                    {
                        silent.Add(camera);
                    }
                    else if (next is null || deadline < next)
                    {
                        next = deadline;
                    }
                }

                foreach (var camera in silent)
                {
                    _cameras[camera] = (_cameras[camera].LastSeen, true);
                }

                resumed = [.. _resumed];
                _resumed.Clear();
            }

            foreach (var camera in silent)
            {
                _counters.CountCameraFault();
                Log.CameraSilent(_logger, camera, _options.CameraSilenceTimeout);
                await RaiseAsync("anpr.camera_silent", camera, $"no read for {_options.CameraSilenceTimeout}", now, stoppingToken).ConfigureAwait(false);
            }

            foreach (var camera in resumed)
            {
                Log.CameraResumed(_logger, camera);
                await RaiseAsync("anpr.camera_resumed", camera, "reads again", now, stoppingToken).ConfigureAwait(false);
            }

            using var sleep = next is { } n ? new CancellationTokenSource(n - now, _time) : new CancellationTokenSource();
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, sleep.Token);
            try
            {
                await _changed.WaitAsync(linked.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
            {
                // The earliest deadline passed: look again.
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task RaiseAsync(string type, string camera, string detail, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var envelope = new Envelope
        {
            Stream = "anpr-status",
            Priority = PriorityClass.Event,
            CapturedAt = Timestamp.FromDateTimeOffset(now),
            Event = new DeviceEvent { Type = type, Detail = $"camera {camera}: {detail}" },
        };
        envelope.Event.Attributes["camera"] = camera;
        var result = await _sink.AcceptAsync(envelope, cancellationToken).ConfigureAwait(false);
        if (result != EnqueueResult.Accepted)
        {
            Log.Refused(_logger, type, result);
        }
    }

    public override void Dispose()
    {
        _changed.Dispose();
        base.Dispose();
    }
}
