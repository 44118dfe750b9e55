using System.Text;
using EdgeGateway.Devices.Modem;
using EdgeGateway.Transport;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EdgeGateway.Devices.Lte;

/// <summary>
/// The LTE (ESN) modem's health over its AT port (3GPP TS 27.007): enables unsolicited <c>+CEREG</c> with
/// location (<c>AT+CEREG=2</c>), then every <see cref="LteOptions.PollInterval"/> reads <c>AT+CEREG?</c>,
/// <c>AT+CESQ</c> (RSRP/RSRQ; <c>AT+CSQ</c> when the modem has no CESQ), <c>AT+COPS?</c> and
/// <c>AT+CGPADDR=1</c> (the PDP context's address: attached or not), and keeps an <see cref="LteBearerState"/>
/// that routing reads. Line faults are logged, counted and retried; they never stop the host.
/// </summary>
internal sealed class LteAdapter : AtModemAdapter, ILteLink
{
    /// <summary>DI key of the modem's <see cref="IByteSourceConnector"/>.</summary>
    public const string ConnectorKey = "lte";

    private readonly LteOptions _options;
    private readonly ILogger _logger;
    private volatile LteStatus _status = LteStatus.Unknown;

    public LteAdapter(IOptions<LteOptions> options, [FromKeyedServices(ConnectorKey)] IByteSourceConnector connector, LteCounters counters, TimeProvider time, ILoggerFactory loggerFactory)
        : base(connector, new ReconnectOptions(options.Value.ReconnectMinDelay, options.Value.ReconnectMaxDelay), options.Value.CommandTimeout, counters.Transport, counters.At, time, loggerFactory)
    {
        _options = options.Value;
        Counters = counters;
        _logger = loggerFactory.CreateLogger<LteAdapter>();
    }

    /// <inheritdoc />
    public event Action<LteStatus>? StateChanged;

    /// <inheritdoc />
    public LteStatus Status => _status;

    /// <summary>The line and AT counters.</summary>
    public LteCounters Counters { get; }

    protected override void LogStarting() => Log.Starting(_logger, SourceDescription);

    protected override async Task RunConnectionAsync(AtSession session, Task reading, CancellationToken cancellationToken)
    {
        var ping = await session.SendAsync("AT", cancellationToken).ConfigureAwait(false);
        if (!ping.IsOk)
        {
            Log.NotAnswering(_logger, ping);
            return;
        }

        await session.SendAsync("AT+CMEE=1", cancellationToken).ConfigureAwait(false);
        await session.SendAsync("AT+CEREG=2", cancellationToken).ConfigureAwait(false);
        using var timer = new PeriodicTimer(_options.PollInterval, Time);
        var silent = 0;
        do
        {
            silent = await PollAsync(session, cancellationToken).ConfigureAwait(false) ? 0 : silent + 1;
            if (silent >= 3 || reading.IsCompleted)
            {
                Log.NotAnswering(_logger, new AtResponse(AtFinalKind.Timeout, -1, []));
                return;
            }
        }
        while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false));
    }

    protected override void OnConnectionEnded() => Update(LteStatus.Unknown);

    /// <summary>One round of reads; false when the modem did not answer the first.</summary>
    private async Task<bool> PollAsync(AtSession session, CancellationToken cancellationToken)
    {
        var cereg = await session.SendAsync("AT+CEREG?", cancellationToken).ConfigureAwait(false);
        if (cereg.Final is AtFinalKind.Timeout or AtFinalKind.Closed)
        {
            return false;
        }

        var registration = Parameters(cereg, "CEREG") is { } p ? RegistrationReport.Parse(p, solicited: true) : _status.Registration;
        int? rsrp = null;
        double? rsrq = null;
        SignalQuality? csq = null;
        var cesq = await session.SendAsync("AT+CESQ", cancellationToken).ConfigureAwait(false);
        if (Parameters(cesq, "CESQ") is not { } cesqFields || !CesqReport.TryParse(cesqFields, out rsrp, out rsrq))
        {
            // A modem without CESQ (or an unusable answer): fall back to the 2G/3G-era +CSQ.
            var reply = await session.SendAsync("AT+CSQ", cancellationToken).ConfigureAwait(false);
            if (Parameters(reply, "CSQ") is { } csqFields)
            {
                SignalQuality.TryParse(csqFields, out csq);
            }
        }

        var cops = await session.SendAsync("AT+COPS?", cancellationToken).ConfigureAwait(false);
        var op = cops.LineOf("COPS") is { } copsLine && copsLine.Split('"') is { Length: >= 3 } quoted ? quoted[1] : null;
        var address = await ReadAddressAsync(session, cancellationToken).ConfigureAwait(false);
        Update(new LteStatus(LteBearerState.Unavailable, registration, rsrp, rsrq, csq, op, address));
        return true;
    }

    private static async Task<string?> ReadAddressAsync(AtSession session, CancellationToken cancellationToken)
    {
        var reply = await session.SendAsync("AT+CGPADDR=1", cancellationToken).ConfigureAwait(false);
        if (Parameters(reply, "CGPADDR") is not { } fields)
        {
            return null;
        }

        var reader = new AtFieldReader(fields);
        return reader.TryNext(out _) && reader.TryNext(out var address) && !address.Malformed && !address.Value.IsEmpty && !address.Value.SequenceEqual("0.0.0.0"u8)
            ? Encoding.ASCII.GetString(address.Value)
            : null;
    }

    protected override ValueTask OnUnsolicitedAsync(AtSession session, AtUnsolicited urc, CancellationToken cancellationToken)
    {
        if (urc.Name == "CEREG")
        {
            var registration = RegistrationReport.Parse(AtSyntax.Parameters(Encoding.ASCII.GetBytes(urc.Line)), solicited: false);
            // Losing registration also loses the address; regaining it waits for the next poll to read one.
            var status = _status with { Registration = registration };
            Update(registration.IsRegistered ? status : status with { Address = null });
        }

        return ValueTask.CompletedTask;
    }

    private void Update(LteStatus next)
    {
        var state = Classify(next, _options.PoorRsrpDbm);
        next = next with { State = state };
        var before = _status;
        _status = next;
        if (before.State != state)
        {
            Log.StateChanged(_logger, state, next.Registration?.Stat, next.RsrpDbm, next.Address);
            StateChanged?.Invoke(next);
        }
    }

    /// <summary>Unavailable unless registered with an address; Poor below the RSRP threshold (or CSQ &lt; 10 without RSRP).</summary>
    internal static LteBearerState Classify(LteStatus status, int poorRsrpDbm)
    {
        if (status.Registration is not { IsRegistered: true } || status.Address is null)
        {
            return LteBearerState.Unavailable;
        }

        if (status.RsrpDbm is { } rsrp)
        {
            return rsrp < poorRsrpDbm ? LteBearerState.Poor : LteBearerState.Good;
        }

        return status.Csq?.Rssi is { } rssi && rssi < 10 ? LteBearerState.Poor : LteBearerState.Good;
    }

    private static byte[]? Parameters(AtResponse response, string name) =>
        response.IsOk && response.LineOf(name) is { } line ? AtSyntax.Parameters(Encoding.ASCII.GetBytes(line)).ToArray() : null;
}
