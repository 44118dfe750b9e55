using System.IO.Pipelines;
using EdgeGateway.Contracts.V1;
using EdgeGateway.Core;
using EdgeGateway.Devices.Gnss.Nmea;
using EdgeGateway.Transport;
using Google.Protobuf.WellKnownTypes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EdgeGateway.Devices.Gnss;

/// <summary>
/// The GNSS receiver adapter: transport -> NMEA reader -> fix merger -> thinning -> observation sink
/// (stream <c>gnss</c>, Telemetry). Receiver faults (unplugged, silent, garbage) are logged, counted
/// and retried; they never stop the host.
/// </summary>
internal sealed class GnssAdapter : BackgroundService, Hosting.Watchdog.ILivenessSource
{
    /// <summary>Observation stream name.</summary>
    public const string StreamName = "gnss";

    /// <summary>DI key of the receiver's <see cref="IByteSourceConnector"/>.</summary>
    public const string ConnectorKey = "gnss";

    private readonly GnssOptions _options;
    private readonly IByteSourceConnector _connector;
    private readonly IObservationSink _sink;
    private readonly GnssCounters _counters;
    private readonly TimeProvider _time;
    private readonly ILogger<GnssAdapter> _logger;
    private readonly ILogger _transportLogger;
    private readonly PositionThinner _thinner;
    private readonly GnssTrack? _track;
    private readonly List<GnssFix> _pending = [];
    private FixMode _lastMode = FixMode.Unspecified;

    public GnssAdapter(
        IOptions<GnssOptions> options,
        [FromKeyedServices(ConnectorKey)] IByteSourceConnector connector,
        IObservationSink sink,
        GnssCounters counters,
        TimeProvider time,
        ILoggerFactory loggerFactory,
        GnssTrack? track = null)
    {
        _track = track;
        _options = options.Value;
        _connector = connector;
        _sink = sink;
        _counters = counters;
        _time = time;
        _logger = loggerFactory.CreateLogger<GnssAdapter>();
        _transportLogger = loggerFactory.CreateLogger(typeof(ReconnectingByteSource));
        _thinner = new PositionThinner(_options.Thinning);
    }

    /// <summary>Working while a read is parsed and its fixes stored, idle while waiting for bytes or a receiver.</summary>
    public Hosting.Watchdog.LivenessProbe Liveness { get; } = new("gnss");

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        Log.Starting(_logger, _connector.Description);
        var source = new ReconnectingByteSource(
            _connector,
            new ReconnectOptions(_options.ReconnectMinDelay, _options.ReconnectMaxDelay),
            _time,
            _transportLogger,
            _counters.Transport);
        await source.RunAsync(
            async (pipe, ct) =>
            {
                try
                {
                    await ReadSessionAsync(pipe, ct).ConfigureAwait(false);
                }
                finally
                {
                    Liveness.Idle(); // between connections the adapter waits; it is not stuck
                }
            },
            stoppingToken).ConfigureAwait(false);
    }

    /// <summary>Reads one connection until end of stream or silence; fixes go to the sink as they complete.</summary>
    internal async Task ReadSessionAsync(PipeReader pipe, CancellationToken cancellationToken)
    {
        var reader = new NmeaReader(_counters.Nmea);
        // The host clock tells a receiver with the week-rollover bug what era it is.
        var merger = new GnssFixMerger(_options.CorrectWeekRollover ? DateOnly.FromDateTime(_time.GetUtcNow().UtcDateTime) : null);
        long invalidSeen = 0;
        long rolloverSeen = 0;
        long carried = 0;
        while (true)
        {
            ReadResult result;
            using (var idle = new CancellationTokenSource(_options.IdleTimeout, _time))
            using (var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, idle.Token))
            {
                try
                {
                    Liveness.Idle();
                    result = await pipe.ReadAsync(linked.Token).ConfigureAwait(false);
                    Liveness.Working(_time);
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    _counters.Transport.CountIdleTimeout();
                    Log.ReceiverSilent(_logger, _options.IdleTimeout);
                    break;
                }
            }

            var buffer = result.Buffer;
            _counters.Transport.CountBytes(buffer.Length - carried); // each byte once, not on every re-read
            Parse(reader, merger, ref buffer);
            carried = buffer.Length;
            pipe.AdvanceTo(buffer.Start, buffer.End);
            _counters.AddInvalidFields(merger.InvalidFields - invalidSeen);
            invalidSeen = merger.InvalidFields;
            _counters.AddRolloverCorrections(merger.RolloverCorrections - rolloverSeen);
            rolloverSeen = merger.RolloverCorrections;
            await ForwardPendingAsync(cancellationToken).ConfigureAwait(false);

            if (result.IsCompleted)
            {
                break;
            }
        }

        // The connection ended: the cycle in progress is as complete as it will get.
        if (merger.TryFlush(out var last))
        {
            _pending.Add(last);
            await ForwardPendingAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private void Parse(NmeaReader reader, GnssFixMerger merger, ref System.Buffers.ReadOnlySequence<byte> buffer)
    {
        while (reader.TryRead(ref buffer, out var sentence))
        {
            if (merger.Accept(sentence, out var fix))
            {
                _pending.Add(fix);
            }
        }
    }

    private async Task ForwardPendingAsync(CancellationToken cancellationToken)
    {
        foreach (var fix in _pending)
        {
            await ForwardAsync(fix, cancellationToken).ConfigureAwait(false);
        }

        _pending.Clear();
    }

    private async ValueTask ForwardAsync(GnssFix fix, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        _counters.CountFix(fix, now);
        _track?.Add(fix); // before thinning: other adapters interpolate between every fix
        if (fix.Mode != _lastMode)
        {
            Log.ModeChanged(_logger, GnssFixJson.ModeNumber(_lastMode), GnssFixJson.ModeNumber(fix.Mode));
            _lastMode = fix.Mode;
        }

        if (!_thinner.ShouldForward(fix, now))
        {
            _counters.CountThinned();
            return;
        }

        var result = await _sink.AcceptAsync(ToEnvelope(fix, now), cancellationToken).ConfigureAwait(false);
        if (result == EnqueueResult.Accepted)
        {
            _counters.CountForwarded();
        }
        else
        {
            _counters.CountRefused();
            Log.Refused(_logger, result);
        }
    }

    /// <summary>The draft the sink completes: stream, class, capture time and its source, and the position.</summary>
    internal static Envelope ToEnvelope(in GnssFix fix, DateTimeOffset localNow)
    {
        var position = new Position
        {
            Mode = fix.Mode == FixMode.Unspecified ? FixMode.NoFix : fix.Mode,
            SatellitesUsed = (uint)Math.Max(0, fix.SatellitesUsed),
        };
        if (fix.Time is { } time)
        {
            position.FixTime = Timestamp.FromDateTimeOffset(time);
        }

        if (fix.HasPosition)
        {
            position.Latitude = fix.Latitude!.Value;
            position.Longitude = fix.Longitude!.Value;
            if (fix.AltitudeMsl is { } alt)
            {
                position.AltitudeM = alt;
            }

            if (fix.SpeedMps is { } speed)
            {
                position.SpeedMps = speed;
            }

            if (fix.TrackDegrees is { } track)
            {
                position.TrackDeg = track;
            }
        }

        if (fix.Hdop is { } hdop)
        {
            position.Hdop = hdop;
        }

        if (fix.Vdop is { } vdop)
        {
            position.Vdop = vdop;
        }

        if (fix.Pdop is { } pdop)
        {
            position.Pdop = pdop;
        }

        return new Envelope
        {
            Stream = StreamName,
            Priority = PriorityClass.Telemetry,
            CapturedAt = Timestamp.FromDateTimeOffset(fix.Time ?? localNow),
            TimeSource = fix.Time is null ? TimeSource.Local : TimeSource.Gnss,
            Position = position,
        };
    }
}
