using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using EdgeGateway.Contracts.Tetra;
using EdgeGateway.Contracts.V1;
using EdgeGateway.Core;
using EdgeGateway.Devices.Modem;
using EdgeGateway.Transport;
using Google.Protobuf.WellKnownTypes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EdgeGateway.Devices.Tetra;

/// <summary>
/// The TETRA terminal over its PEI (ETSI EN 300 392-5): opens the serial line, initialises the service
/// profiles (<c>AT+CTSP</c> for text 0x82, LIP 0x0A, status, the envelope PID 0xC8; <c>AT+CTSDS=12,0,0,0,0</c>
/// for SDS type 4), polls registration and signal, sends SDS type 4 through a paced queue
/// (<c>AT+CMGS=&lt;ISSI&gt;,&lt;bits&gt;</c> with the hex user data, <c>+CMGS</c> with the delivery state) and
/// matches SDS-TL reports to their sends, and turns received <c>+CTSDSR</c> into observations: an emergency
/// status becomes an Emergency envelope (stream <c>radio</c>) and raises <see cref="EmergencyRaised"/>.
/// Line faults are logged, counted and retried; they never stop the host.
/// </summary>
internal sealed class TetraAdapter : AtModemAdapter, ITetraSds, IRadioEmergencySource
{
    /// <summary>Observation stream of radio events.</summary>
    public const string StreamName = "radio";

    /// <summary>DI key of the terminal's <see cref="IByteSourceConnector"/>.</summary>
    public const string ConnectorKey = "tetra";

    /// <summary>Consecutive poll failures after which the terminal is taken for gone and the line reopened.</summary>
    private const int MaxPollFailures = 3;

    private readonly TetraOptions _options;
    private readonly IObservationSink _sink;
    private readonly TetraCounters _counters;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ConcurrentQueue<SdsJob> _urgent = new();
    private readonly ConcurrentQueue<SdsJob> _normal = new();
    private readonly SemaphoreSlim _queued = new(0);
    private readonly Lock _gate = new();
    private readonly Dictionary<byte, SdsJob> _awaitingReport = [];
    private int _queueLength;
    private byte _nextReference;
    private volatile TetraStatus _status = TetraStatus.Disconnected;
    private long _nextSendAt;

    public TetraAdapter(
        IOptions<TetraOptions> options,
        [FromKeyedServices(ConnectorKey)] IByteSourceConnector connector,
        IObservationSink sink,
        TetraCounters counters,
        TimeProvider time,
        ILoggerFactory loggerFactory)
        : base(connector, new ReconnectOptions(options.Value.ReconnectMinDelay, options.Value.ReconnectMaxDelay), options.Value.CommandTimeout, counters.Transport, counters.At, time, loggerFactory)
    {
        _options = options.Value;
        _sink = sink;
        _counters = counters;
        _time = time;
        _logger = loggerFactory.CreateLogger<TetraAdapter>();
    }

    /// <inheritdoc />
    public event Action<RadioEmergency>? EmergencyRaised;

    /// <summary>Raised when the terminal connects, disconnects, registers or loses registration.</summary>
    public event Action<TetraStatus>? StatusChanged;

    /// <summary>What is known about the terminal now.</summary>
    public TetraStatus Status => _status;

    /// <inheritdoc />
    public bool IsAvailable => _status is { Connected: true, Registered: true };

    /// <inheritdoc />
    public Task<SdsSendResult> SendAsync(string destination, byte protocolId, ReadOnlyMemory<byte> payload, bool requestReport, bool urgent, CancellationToken cancellationToken)
    {
        var transportLayer = SdsTl.UsesTransportLayer(protocolId);
        var length = (transportLayer ? SdsTl.TransferHeaderLength : 1) + payload.Length;
        if (length > SdsTl.MaxBytes)
        {
            return Task.FromResult(new SdsSendResult(SdsSendOutcome.TooLarge, 0, -1, $"{length * 8} bits > {SdsTl.MaxBits}"));
        }

        SdsJob job;
        if (transportLayer)
        {
            var reference = NextReference();
            job = new SdsJob(destination, SdsTl.EncodeTransfer(protocolId, reference, requestReport ? (byte)1 : (byte)0, payload.Span), reference, requestReport);
        }
        else
        {
            var pdu = new byte[length];
            pdu[0] = protocolId;
            payload.Span.CopyTo(pdu.AsSpan(1));
            if (requestReport && protocolId == LipCodec.ProtocolId)
            {
                // LIP has no SDS-TL: the reference rides in the short report's user-defined data and
                // FleetControl's TETRA gateway answers with an SDS-TL report carrying it. A reference the caller
                // already put there is kept (the bearer derives it from the message, so a re-send is identical);
                // while another send awaits a report under it, this one is refused for now.
                if (LipCodec.TryDecode(pdu, pdu.Length * 8, out var lip) && lip!.AdditionalDataIsUserDefined && lip.AdditionalData != 0)
                {
                    var chosen = (byte)lip.AdditionalData;
                    if (!TryReserveReference(chosen))
                    {
                        return Task.FromResult(new SdsSendResult(SdsSendOutcome.NotConnected, chosen, -1, $"reference {chosen} awaits another report"));
                    }

                    job = new SdsJob(destination, pdu, chosen, awaitsReport: true);
                }
                else
                {
                    var reference = NextReference();
                    job = LipCodec.TrySetUserData(pdu, reference)
                        ? new SdsJob(destination, pdu, reference, awaitsReport: true)
                        : new SdsJob(destination, pdu, 0, awaitsReport: false);
                }
            }
            else
            {
                job = new SdsJob(destination, pdu, 0, awaitsReport: false);
            }
        }

        return Enqueue(job, urgent, cancellationToken);
    }

    /// <summary>Queues a ready PDU (e.g. an SDS-TL report) or refuses it when no terminal is there or the queue is full.</summary>
    private Task<SdsSendResult> Enqueue(SdsJob job, bool urgent, CancellationToken cancellationToken)
    {
        if (!_status.Connected)
        {
            return Task.FromResult(new SdsSendResult(SdsSendOutcome.NotConnected, job.Reference, -1, "no terminal"));
        }

        if (Interlocked.Increment(ref _queueLength) > _options.SdsQueueCapacity)
        {
            Interlocked.Decrement(ref _queueLength);
            return Task.FromResult(new SdsSendResult(SdsSendOutcome.NotConnected, job.Reference, -1, "SDS queue full"));
        }

        (urgent ? _urgent : _normal).Enqueue(job);
        _queued.Release();
        return job.Result.Task.WaitAsync(cancellationToken);
    }

    protected override void LogStarting() => Log.Starting(_logger, SourceDescription);

    /// <summary>One connection: initialise, then poll, send and listen until the line ends or the terminal stops answering.</summary>
    protected override async Task RunConnectionAsync(AtSession session, Task reading, CancellationToken cancellationToken)
    {
        Task? polling = null;
        Task? sending = null;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        try
        {
            if (await InitialiseAsync(session, stop.Token).ConfigureAwait(false))
            {
                SetStatus(_status with { Connected = true });
                polling = PollAsync(session, stop.Token);
                sending = SendLoopAsync(session, stop.Token);
                await Task.WhenAny(reading, polling, sending).ConfigureAwait(false);
            }
        }
        finally
        {
            await stop.CancelAsync().ConfigureAwait(false);
            await QuietlyAsync(polling, cancelledOnly: true).ConfigureAwait(false);
            await QuietlyAsync(sending, cancelledOnly: true).ConfigureAwait(false);
        }
    }

    protected override void OnConnectionEnded()
    {
        SetStatus(TetraStatus.Disconnected);
        FailWaiting("terminal disconnected");
    }

    private async Task<bool> InitialiseAsync(AtSession session, CancellationToken cancellationToken)
    {
        var ping = await session.SendAsync("AT", cancellationToken).ConfigureAwait(false);
        if (!ping.IsOk)
        {
            ping = await session.SendAsync("AT", cancellationToken).ConfigureAwait(false);
        }

        if (!ping.IsOk)
        {
            Log.NotAnswering(_logger, ping);
            return false;
        }

        var refused = 0;
        foreach (var command in PeiCommands.Initialisation)
        {
            var response = await session.SendAsync(command, cancellationToken).ConfigureAwait(false);
            if (response.Final is AtFinalKind.Closed)
            {
                return false;
            }

            if (!response.IsOk)
            {
                // A terminal without one profile still serves the others; carry on.
                refused++;
                _counters.CountInitError();
                Log.InitRefused(_logger, command, response);
            }
        }

        Log.Initialised(_logger, refused);
        await ReadRegistrationAsync(session, cancellationToken).ConfigureAwait(false);
        return true;
    }

    private async Task PollAsync(AtSession session, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(_options.PollInterval, _time);
        var failures = 0;
        while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
        {
            failures = await ReadRegistrationAsync(session, cancellationToken).ConfigureAwait(false) ? 0 : failures + 1;
            if (failures >= MaxPollFailures)
            {
                Log.NotAnswering(_logger, new AtResponse(AtFinalKind.Timeout, -1, []));
                return;
            }
        }
    }

    /// <summary>Reads <c>+CREG</c> and <c>+CSQ</c>; false when the terminal did not answer.</summary>
    private async Task<bool> ReadRegistrationAsync(AtSession session, CancellationToken cancellationToken)
    {
        var creg = await session.SendAsync("AT+CREG?", cancellationToken).ConfigureAwait(false);
        var registered = _status.Registered;
        int? stat = null;
        if (creg.IsOk && creg.LineOf("CREG") is { } line)
        {
            var report = RegistrationReport.Parse(AtSyntax.Parameters(Encoding.ASCII.GetBytes(line)), solicited: true);
            stat = report.Stat;
            registered = report.IsRegistered;
        }

        var csq = await session.SendAsync("AT+CSQ", cancellationToken).ConfigureAwait(false);
        var signal = _status.Signal;
        if (csq.IsOk && csq.LineOf("CSQ") is { } csqLine && SignalQuality.TryParse(AtSyntax.Parameters(Encoding.ASCII.GetBytes(csqLine)), out var quality))
        {
            signal = quality;
        }

        var before = _status;
        SetStatus(before with { Registered = registered, Signal = signal });
        if (before.Registered != registered || before.Signal is null && signal is not null)
        {
            Log.Registration(_logger, registered ? "registered" : "not registered", stat, signal?.Dbm);
        }

        return creg.Final is not (AtFinalKind.Timeout or AtFinalKind.Closed);
    }

    private async Task SendLoopAsync(AtSession session, CancellationToken cancellationToken)
    {
        while (true)
        {
            await _queued.WaitAsync(cancellationToken).ConfigureAwait(false);
            if (!_urgent.TryDequeue(out var job) && !_normal.TryDequeue(out job))
            {
                continue;
            }

            Interlocked.Decrement(ref _queueLength);
            var wait = _time.GetElapsedTime(_time.GetTimestamp(), Volatile.Read(ref _nextSendAt));
            if (wait > TimeSpan.Zero)
            {
                // Air-interface pacing: the least gap between two SDS.
                await Task.Delay(wait, _time, cancellationToken).ConfigureAwait(false);
            }

            await SendOneAsync(session, job, cancellationToken).ConfigureAwait(false);
            Volatile.Write(ref _nextSendAt, _time.GetTimestamp() + (long)(_options.SdsMinInterval.TotalSeconds * _time.TimestampFrequency));
        }
    }

    private async Task SendOneAsync(AtSession session, SdsJob job, CancellationToken cancellationToken)
    {
        // A LIP short report is 84 bits; everything else goes in whole bytes.
        var bits = job.Pdu.Length == (LipCodec.ShortReportBits + 7) / 8 && job.Pdu[0] == LipCodec.ProtocolId && (job.Pdu[1] >> 6) == 0
            ? LipCodec.ShortReportBits
            : job.Pdu.Length * 8;
        if (job.AwaitsReport)
        {
            // Registered before sending: a fast report can arrive before the final result code.
            lock (_gate)
            {
                _awaitingReport[job.Reference] = job;
            }
        }

        var select = await session.SendAsync(PeiCommands.SelectSdsType4, cancellationToken).ConfigureAwait(false);
        AtResponse response;
        if (select.Final is AtFinalKind.Timeout or AtFinalKind.Closed)
        {
            response = select;
        }
        else
        {
            response = await session.SendPduAsync(
                $"AT+CMGS={job.Destination},{bits}", SdsTl.ToHex(job.Pdu), cancellationToken, awaitPrompt: _options.AwaitPrompt).ConfigureAwait(false);
        }

        var detail = response.LineOf("CMGS") is { } cmgs ? $"{cmgs} {response}" : response.ToString();
        if (!response.IsOk)
        {
            Forget(job);
            _counters.CountFailed();
            Log.SdsFailed(_logger, job.Destination, job.Reference, detail);
            job.Complete(SdsSendOutcome.Failed, -1, detail);
            return;
        }

        _counters.CountSent();
        if (!job.AwaitsReport)
        {
            job.Complete(SdsSendOutcome.Sent, -1, detail);
            Log.SdsEnded(_logger, job.Destination, bits, job.Reference, SdsSendOutcome.Sent, detail);
            return;
        }

        var timer = _time.CreateTimer(
            static state =>
            {
                var (adapter, pending) = ((TetraAdapter, SdsJob))state!;
                adapter.Forget(pending);
                if (pending.Complete(SdsSendOutcome.NoReport, -1, "no SDS-TL report"))
                {
                    adapter._counters.CountNoReport();
                }
            },
            (this, job),
            _options.ReportTimeout,
            Timeout.InfiniteTimeSpan);
        job.ReportTimer = timer;
        if (job.Result.Task.IsCompleted)
        {
            timer.Dispose(); // the report came before the OK
        }
    }

    protected override async ValueTask OnUnsolicitedAsync(AtSession session, AtUnsolicited urc, CancellationToken cancellationToken)
    {
        switch (urc.Name)
        {
            case "CTSDSR":
                await OnSdsAsync(session, urc, cancellationToken).ConfigureAwait(false);
                break;
            case "CREG":
                var report = RegistrationReport.Parse(AtSyntax.Parameters(Encoding.ASCII.GetBytes(urc.Line)), solicited: false);
                if (report.Stat is not null && report.IsRegistered != _status.Registered)
                {
                    SetStatus(_status with { Registered = report.IsRegistered });
                    Log.Registration(_logger, report.IsRegistered ? "registered" : "not registered", report.Stat, _status.Signal?.Dbm);
                }

                break;
        }
    }

    private async Task OnSdsAsync(AtSession session, AtUnsolicited urc, CancellationToken cancellationToken)
    {
        _counters.CountReceived();
        if (!SdsHeader.TryParse(AtSyntax.Parameters(Encoding.ASCII.GetBytes(urc.Line)), out var header) || urc.Data is null)
        {
            Invalid("header", urc);
            return;
        }

        if (header!.AiService == SdsHeader.Status)
        {
            if (!SdsTl.TryStatusValue(urc.Data, out var status))
            {
                Invalid("status value", urc);
                return;
            }

            await OnStatusAsync(header, status, cancellationToken).ConfigureAwait(false);
            return;
        }

        if (!SdsTl.TryFromHex(urc.Data, header.LengthBits, out var bytes) || bytes.Length == 0)
        {
            Invalid("user data", urc);
            return;
        }

        if (bytes[0] == LipCodec.ProtocolId)
        {
            if (!LipCodec.TryDecode(bytes, header.LengthBits, out var lip))
            {
                Invalid("LIP report", urc);
                return;
            }

            await AcceptEventAsync("radio-lip", PriorityClass.Telemetry, $"LIP from {header.Calling}", new()
            {
                ["from"] = header.Calling,
                ["latitude"] = lip!.Latitude.ToString("F6", CultureInfo.InvariantCulture),
                ["longitude"] = lip.Longitude.ToString("F6", CultureInfo.InvariantCulture),
            }, cancellationToken).ConfigureAwait(false);
            return;
        }

        if (!SdsTl.TryDecode(bytes, out var pdu))
        {
            Invalid($"protocol 0x{bytes[0]:X2}", urc);
            return;
        }

        switch (pdu!.Type)
        {
            case SdsTlMessageType.Report:
                OnReport(pdu);
                break;
            case SdsTlMessageType.Transfer when pdu.ProtocolId == SdsTl.TextMessagingPid:
                var text = DecodeText(pdu.UserData.Span);
                Log.SdsReceived(_logger, header.Calling, "text", text);
                await AcceptEventAsync("radio-text", PriorityClass.Event, text, new() { ["from"] = header.Calling }, cancellationToken).ConfigureAwait(false);
                if (pdu.ReportRequest != 0 && header.Calling.Length > 0)
                {
                    // The TE handles this protocol (AT+CTSP), so the TE answers the report request.
                    _ = Enqueue(new SdsJob(header.Calling, SdsTl.EncodeReport(pdu.ProtocolId, pdu.MessageReference, 0x00), 0, awaitsReport: false), urgent: false, CancellationToken.None);
                }

                break;
            default:
                Log.SdsReceived(_logger, header.Calling, $"protocol 0x{pdu.ProtocolId:X2} {pdu.Type}", $"{pdu.UserData.Length} bytes");
                break;
        }
    }

    private void OnReport(SdsTlPdu report)
    {
        SdsJob? job;
        lock (_gate)
        {
            _awaitingReport.Remove(report.MessageReference, out job);
        }

        if (job is null)
        {
            return; // a late or duplicate report
        }

        var delivered = SdsTlPdu.IsSuccess(report.DeliveryStatus);
        if (delivered)
        {
            _counters.CountDelivered();
        }
        else
        {
            _counters.CountFailed();
            Log.SdsFailed(_logger, job.Destination, job.Reference, $"delivery status 0x{report.DeliveryStatus:X2}");
        }

        job.Complete(delivered ? SdsSendOutcome.Delivered : SdsSendOutcome.Failed, report.DeliveryStatus, $"SDS-TL report 0x{report.DeliveryStatus:X2}");
    }

    private async Task OnStatusAsync(SdsHeader header, ushort status, CancellationToken cancellationToken)
    {
        if (status != _options.EmergencyStatus)
        {
            Log.SdsReceived(_logger, header.Calling, "status", $"0x{status:X4}");
            await AcceptEventAsync("radio-status", PriorityClass.Event, $"status 0x{status:X4}", new()
            {
                ["from"] = header.Calling,
                ["status"] = status.ToString(CultureInfo.InvariantCulture),
            }, cancellationToken).ConfigureAwait(false);
            return;
        }

        _counters.CountEmergency();
        var at = _time.GetUtcNow();
        var envelope = NewEvent("emergency", PriorityClass.Emergency, "TETRA emergency button", new()
        {
            ["source"] = "tetra",
            ["from"] = header.Calling,
            ["status"] = status.ToString(CultureInfo.InvariantCulture),
        });
        var result = await _sink.AcceptAsync(envelope, cancellationToken).ConfigureAwait(false);
        var messageId = result == EnqueueResult.Accepted ? envelope.MessageId : null;
        if (messageId is null)
        {
            Log.EmergencyRefused(_logger, result);
        }

        Log.Emergency(_logger, status, header.Calling, messageId);
        try
        {
            EmergencyRaised?.Invoke(new RadioEmergency("tetra", header.Calling, status, at, messageId));
        }
        catch (Exception exception)
        {
            Log.SubscriberFailed(_logger, exception);
        }
    }

    private async Task AcceptEventAsync(string type, PriorityClass priority, string detail, Dictionary<string, string> attributes, CancellationToken cancellationToken) =>
        await _sink.AcceptAsync(NewEvent(type, priority, detail, attributes), cancellationToken).ConfigureAwait(false);

    private Envelope NewEvent(string type, PriorityClass priority, string detail, Dictionary<string, string> attributes)
    {
        var body = new DeviceEvent { Type = type, Detail = detail };
        body.Attributes.Add(attributes);
        return new Envelope
        {
            Stream = StreamName,
            Priority = priority,
            CapturedAt = Timestamp.FromDateTimeOffset(_time.GetUtcNow()),
            TimeSource = TimeSource.Local,
            Event = body,
        };
    }

    /// <summary>Text messaging user data: a coding-scheme byte (bit 7: timestamp present), then ISO 8859-1 text.</summary>
    private static string DecodeText(ReadOnlySpan<byte> userData)
    {
        if (userData.IsEmpty)
        {
            return string.Empty;
        }

        var skip = (userData[0] & 0x80) != 0 ? 4 : 1; // a 24-bit timestamp follows the coding byte when flagged
        return userData.Length <= skip ? string.Empty : Encoding.Latin1.GetString(userData[skip..]);
    }

    private void Invalid(string reason, AtUnsolicited urc)
    {
        _counters.CountInvalid();
        Log.InvalidSds(_logger, reason, urc.Line, urc.Data);
    }

    private byte NextReference()
    {
        lock (_gate)
        {
            for (var i = 0; i < 255; i++)
            {
                _nextReference = (byte)(_nextReference == 255 ? 1 : _nextReference + 1);
                if (!InUse(_nextReference))
                {
                    return _nextReference;
                }
            }

            return _nextReference; // 255 reports outstanding: the oldest reference is reused
        }
    }

    /// <summary>False while a send awaits a report under <paramref name="reference"/> or waits to go with it.</summary>
    private bool TryReserveReference(byte reference)
    {
        lock (_gate)
        {
            return !InUse(reference);
        }
    }

    /// <summary>Whether a queued or sent job will take the report of <paramref name="reference"/> (under <see cref="_gate"/>).</summary>
    private bool InUse(byte reference) =>
        _awaitingReport.ContainsKey(reference)
        || _urgent.Any(j => j.AwaitsReport && j.Reference == reference)
        || _normal.Any(j => j.AwaitsReport && j.Reference == reference);

    private void Forget(SdsJob job)
    {
        lock (_gate)
        {
            if (_awaitingReport.TryGetValue(job.Reference, out var current) && ReferenceEquals(current, job))
            {
                _awaitingReport.Remove(job.Reference);
            }
        }
    }

    /// <summary>The line is gone: queued sends fail now (their messages stay in the outbox); reports already awaited keep their timeout.</summary>
    private void FailWaiting(string reason)
    {
        while (_urgent.TryDequeue(out var job) || _normal.TryDequeue(out job))
        {
            Interlocked.Decrement(ref _queueLength);
            job.Complete(SdsSendOutcome.NotConnected, -1, reason);
        }
    }

    private void SetStatus(TetraStatus status)
    {
        var before = _status;
        _status = status;
        if (before.Connected != status.Connected || before.Registered != status.Registered)
        {
            StatusChanged?.Invoke(status);
        }
    }
}
