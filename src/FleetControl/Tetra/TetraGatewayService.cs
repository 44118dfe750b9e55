using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using EdgeGateway.Contracts.Tetra;
using EdgeGateway.Contracts.V1;
using FleetControl.Ingest;
using Google.Protobuf.WellKnownTypes;
using Microsoft.Extensions.Options;

namespace FleetControl.Tetra;

/// <summary>
/// Stands in for the dispatcher's TETRA SDS gateway (the SwMI side): listens for the network's link
/// (<see cref="SwmiLink"/> lines), takes the envelope SDS (protocol identifier <see cref="SdsEnvelope.Pid"/>)
/// that terminals address to <see cref="TetraGatewayOptions.Issi"/>, checks that each comes from the ISSI of
/// the device it names, and puts it into the same ingest queue as MQTT, so the same store and the same
/// deduplication by message id apply. Once the store has committed it, the SDS-TL report "consumed" (0x02)
/// goes back to the terminal; the DeliveryAck also goes out over MQTT as for any stored envelope.
/// A refused envelope is reported with <see cref="RefusedStatus"/>; malformed lines are counted and skipped.
/// LIP short location reports become positions and pre-coded status SDS become events of the terminal's device.
/// An envelope too large for one SDS comes in its compact form (<see cref="SdsCompactEnvelope"/>) over a few SDS:
/// each segment but the completing one is reported "received" (0x00); the whole is decoded into the same envelope
/// (same message id, so one that also arrives over MQTT is stored once) and reported "consumed" after the commit.
/// </summary>
internal sealed class TetraGatewayService(
    IOptions<TetraGatewayOptions> options,
    IngestQueue queue,
    IngestStats ingestStats,
    TetraGatewayStats stats,
    ILogger<TetraGatewayService> logger,
    TimeProvider? timeProvider = null) : BackgroundService
{
    /// <summary>SDS-TL delivery status "consumed by destination": stored durably.</summary>
    public const byte ConsumedStatus = 0x02;

    /// <summary>SDS-TL delivery status "receipt acknowledged by destination": a segment held, its envelope not yet whole.</summary>
    public const byte ReceivedStatus = 0x00;

    /// <summary>Delivery status for a refused envelope (from the "data transfer failed" range 0x40-0x5F).</summary>
    public const byte RefusedStatus = 0x41;

    /// <summary>Stream of the positions that arrive as LIP.</summary>
    public const string LipStream = "tetra-lip";

    /// <summary>Stream of the events made from terminals' pre-coded status SDS.</summary>
    public const string StatusStream = "tetra-status";

    private readonly TetraGatewayOptions _options = options.Value;
    private readonly TimeProvider time = timeProvider ?? TimeProvider.System;
    private readonly TaskCompletionSource<int> _port = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly SdsReassembler _reassembler = new(options.Value.SegmentTimeout, timeProvider ?? TimeProvider.System);

    /// <summary>Partial compact envelopes dropped because a segment did not come in time (or was evicted).</summary>
    public long SegmentsExpired => _reassembler.Expired;

    /// <summary>The port listened on, once listening (tests and <c>Port = 0</c>).</summary>
    public Task<int> Port => _port.Task;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var listener = new TcpListener(IPAddress.Parse(_options.BindAddress), _options.Port);
        listener.Start();
        var endPoint = (IPEndPoint)listener.LocalEndpoint;
        _port.TrySetResult(endPoint.Port);
        Log.Listening(logger, _options.Issi, endPoint.ToString(), _options.Terminals.Count);
        var links = new List<Task>();
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                var client = await listener.AcceptTcpClientAsync(stoppingToken).ConfigureAwait(false);
                links.RemoveAll(t => t.IsCompleted);
                links.Add(ServeAsync(client, stoppingToken));
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            listener.Stop();
            await Task.WhenAll(links).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    private async Task ServeAsync(TcpClient client, CancellationToken cancellationToken)
    {
        var remote = client.Client.RemoteEndPoint?.ToString() ?? "?";
        Log.LinkConnected(logger, remote);
        using var _ = client;
        var stream = client.GetStream();
        using var writeGate = new SemaphoreSlim(1, 1);
        async Task SendAsync(string line, CancellationToken ct)
        {
            await writeGate.WaitAsync(ct).ConfigureAwait(false);
            try
            {
                await stream.WriteAsync(Encoding.ASCII.GetBytes(line + "\n"), ct).ConfigureAwait(false);
            }
            finally
            {
                writeGate.Release();
            }
        }

        try
        {
            using var reader = new StreamReader(stream, Encoding.ASCII, leaveOpen: true);
            while (await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
            {
                await OnLineAsync(line, SendAsync, cancellationToken).ConfigureAwait(false);
            }

            Log.LinkEnded(logger, remote, "closed by the network");
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException)
        {
            Log.LinkEnded(logger, remote, e.Message);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>Handles one line from the network; <paramref name="send"/> writes a line back.</summary>
    internal async Task OnLineAsync(string line, Func<string, CancellationToken, Task> send, CancellationToken cancellationToken)
    {
        stats.OnReceived();
        if (SwmiLink.TryParseStatus(line, out var statusFrom, out var statusTo, out var statusValue))
        {
            await OnStatusAsync(statusFrom, statusTo, statusValue, cancellationToken).ConfigureAwait(false);
            return;
        }

        if (!SwmiLink.TryParse(line, out var calling, out var called, out var data))
        {
            stats.OnRefused();
            Log.Refused(logger, "?", "not an SDS line");
            return;
        }

        if (called == _options.Issi && data[0] == LipCodec.ProtocolId)
        {
            await OnLocationAsync(calling, data, send, cancellationToken).ConfigureAwait(false);
            return;
        }

        if (called != _options.Issi || !SdsTl.TryDecode(data, out var pdu) || pdu!.ProtocolId != SdsEnvelope.Pid || pdu.Type != SdsTlMessageType.Transfer)
        {
            stats.OnIgnored();
            Log.Ignored(logger, calling, $"to {called}, protocol 0x{data[0]:X2}");
            return;
        }

        var reference = pdu.MessageReference;
        Task Report(byte status, CancellationToken ct) =>
            pdu.ReportRequest == 0 ? Task.CompletedTask : send(SwmiLink.Format(_options.Issi, calling, SdsTl.EncodeReport(SdsEnvelope.Pid, reference, status)), ct);

        var refusal = Check(calling, pdu, out var envelope, out var deviceId);
        if (refusal is null && envelope is null)
        {
            // One segment of a compact envelope, the others still to come: "received", not yet "consumed".
            stats.OnSegment();
            await Report(ReceivedStatus, cancellationToken).ConfigureAwait(false);
            return;
        }

        if (refusal is not null)
        {
            stats.OnRefused();
            ingestStats.OnRejectedEnvelope();
            Log.Refused(logger, calling, refusal);
            await Report(RefusedStatus, cancellationToken).ConfigureAwait(false);
            return;
        }

        Log.Received(logger, envelope!.MessageId, envelope.Priority, deviceId!, calling);
        await queue.Writer.WriteAsync(
            new IngestBatch(deviceId!, [envelope], async ct =>
            {
                // Called by the writer after the commit: the report says "stored", like a DeliveryAck.
                stats.OnStored();
                try
                {
                    await Report(ConsumedStatus, ct).ConfigureAwait(false);
                }
                catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException)
                {
                    // The link is gone; the device's copy is acknowledged over MQTT instead.
                }
            }),
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// A LIP short location report (ETSI TS 100 392-18-1) from a known terminal becomes a position of its
    /// device (stream <see cref="LipStream"/>, captured now less the report's time elapsed). When its additional
    /// data is user-defined, that byte is the sender's reference: an SDS-TL report (PID <see cref="SdsEnvelope.Pid"/>)
    /// carrying it says "stored" once the store has committed, which the gateway takes as the acknowledgement.
    /// </summary>
    private async Task OnLocationAsync(string calling, byte[] data, Func<string, CancellationToken, Task> send, CancellationToken cancellationToken)
    {
        if (!_options.Terminals.TryGetValue(calling, out var deviceId))
        {
            stats.OnRefused();
            Log.Refused(logger, calling, $"LIP from an unknown terminal {calling}");
            return;
        }

        if (!LipCodec.TryDecode(data, data.Length * 8, out var report))
        {
            stats.OnRefused();
            ingestStats.OnRejectedEnvelope();
            Log.Refused(logger, calling, "not a LIP short location report");
            return;
        }

        var now = time.GetUtcNow();
        var captured = now - (report!.TimeElapsed switch { 1 => TimeSpan.FromMinutes(2.5), 2 => TimeSpan.FromMinutes(17.5), _ => TimeSpan.Zero });
        var position = new Position
        {
            FixTime = Timestamp.FromDateTimeOffset(captured),
            Latitude = report.Latitude,
            Longitude = report.Longitude,
            Mode = FixMode._2D,
        };
        if (LipCodec.VelocityKmh(report.HorizontalVelocity) is { } kmh)
        {
            position.SpeedMps = kmh / 3.6;
            position.TrackDeg = report.DirectionOfTravel * 22.5;
        }

        var messageId = LipMessageId(deviceId, data, report, now);
        var envelope = new Envelope
        {
            MessageId = messageId,
            // A LIP with a reference may also reach the store over LTE, as the gateway's own envelope carrying this
            // key (Envelope.dedupe_key): either way round, the store keeps the first and drops the second.
            DedupeKey = report.AdditionalDataIsUserDefined ? messageId : string.Empty,
            DeviceId = deviceId,
            Stream = LipStream,
            CapturedAt = Timestamp.FromDateTimeOffset(captured),
            TimeSource = TimeSource.Ntp,
            Priority = PriorityClass.Telemetry,
            Position = position,
        };
        Log.Location(logger, deviceId, calling, report.Latitude, report.Longitude);
        var reference = report.AdditionalDataIsUserDefined ? (byte?)report.AdditionalData : null;
        await queue.Writer.WriteAsync(
            new IngestBatch(deviceId, [envelope], async ct =>
            {
                stats.OnStored();
                stats.OnPosition();
                if (reference is { } r)
                {
                    await ReportQuietlyAsync(send, SwmiLink.Format(_options.Issi, calling, SdsTl.EncodeReport(SdsEnvelope.Pid, r, ConsumedStatus)), ct).ConfigureAwait(false);
                }
            }),
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The message id of a LIP position. One that carries a sender's reference (user-defined additional data) may be
    /// sent again when its report is lost, however late: its id is made from the device and the report's bytes (the
    /// gateway derives the reference from its own message id, so a re-send is byte for byte the same), and the
    /// store keeps it once. Before, the id was a fresh UUID per arrival, so a report lost beyond the gateway's ack
    /// timeout (then 39 s by default) stored the position twice. A LIP without a reference is never re-sent: a fresh id.
    /// </summary>
    internal static string LipMessageId(string deviceId, ReadOnlySpan<byte> lip, LipShortReport report, DateTimeOffset now)
    {
        if (!report.AdditionalDataIsUserDefined)
        {
            return $"lip-{Guid.CreateVersion7(now):D}";
        }

        return LipCodec.MessageIdOf(deviceId, lip);
    }

    /// <summary>A pre-coded status from a known terminal becomes an Event of its device (<c>tetra.status</c>, or <c>emergency</c> for the emergency value).</summary>
    private async Task OnStatusAsync(string calling, string called, ushort status, CancellationToken cancellationToken)
    {
        if (called != _options.Issi)
        {
            stats.OnIgnored();
            return;
        }

        if (!_options.Terminals.TryGetValue(calling, out var deviceId))
        {
            stats.OnRefused();
            Log.Refused(logger, calling, $"status from an unknown terminal {calling}");
            return;
        }

        var now = time.GetUtcNow();
        var emergency = status == _options.EmergencyStatus;
        var envelope = new Envelope
        {
            MessageId = $"status-{Guid.CreateVersion7(now):D}",
            DeviceId = deviceId,
            Stream = StatusStream,
            CapturedAt = Timestamp.FromDateTimeOffset(now),
            TimeSource = TimeSource.Ntp,
            Priority = emergency ? PriorityClass.Emergency : PriorityClass.Event,
            Event = new DeviceEvent
            {
                Type = emergency ? "tetra.emergency" : "tetra.status",
                Detail = $"status 0x{status:X4} from ISSI {calling}",
                Attributes = { ["issi"] = calling, ["status"] = status.ToString(CultureInfo.InvariantCulture) },
            },
        };
        Log.Status(logger, deviceId, calling, status);
        await queue.Writer.WriteAsync(new IngestBatch(deviceId, [envelope], _ =>
        {
            stats.OnStored();
            stats.OnStatus();
            return Task.CompletedTask;
        }), cancellationToken).ConfigureAwait(false);
    }

    private static async Task ReportQuietlyAsync(Func<string, CancellationToken, Task> send, string line, CancellationToken cancellationToken)
    {
        try
        {
            await send(line, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException)
        {
            // The link is gone: the gateway re-sends after its ack timeout (or over LTE).
        }
    }

    /// <summary>Null and an envelope to store; a reason to refuse; or null and no envelope for a segment that does not complete one.</summary>
    private string? Check(string calling, SdsTlPdu pdu, out Envelope? envelope, out string? deviceId)
    {
        envelope = null;
        if (!_options.Terminals.TryGetValue(calling, out deviceId))
        {
            return $"unknown terminal {calling} (not in {TetraGatewayOptions.SectionName}:Terminals)";
        }

        if (pdu.UserData.Span is [SdsCompactEnvelope.FormatVersion, ..])
        {
            if (!_reassembler.TryAdd(calling, pdu.UserData, out var payload, out var key))
            {
                return "not a compact envelope segment";
            }

            if (payload is null)
            {
                return null;
            }

            if (!SdsCompactEnvelope.TryDecodePayload(payload, deviceId, out envelope, out var compactError))
            {
                return $"not a compact envelope: {compactError}";
            }

            if (SdsCompactEnvelope.KeyOf(envelope!.MessageId) != key)
            {
                envelope = null;
                return "compact segments of different envelopes";
            }

            stats.OnCompact();
        }
        else if (!SdsEnvelope.TryDecodeUserData(pdu.UserData.Span, out envelope, out var error))
        {
            return $"not an envelope: {error}";
        }

        return EnvelopeValidator.Validate(envelope!, deviceId) is { } reason ? $"{reason} (terminal of {deviceId})" : null;
    }
}
