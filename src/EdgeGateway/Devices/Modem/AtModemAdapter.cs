using EdgeGateway.Transport;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace EdgeGateway.Devices.Modem;

/// <summary>
/// What every AT modem adapter (the LTE modem, the TETRA terminal) does with its line: open it through a
/// <see cref="ReconnectingByteSource"/> (reconnecting with backoff), run one <see cref="AtSession"/> per
/// connection with its reader and a listener that hands each unsolicited result code to
/// <see cref="OnUnsolicitedAsync"/>, let the subclass drive the connection (<see cref="RunConnectionAsync"/>),
/// and tear all of it down in order when the connection ends. Line faults never stop the host.
/// </summary>
internal abstract class AtModemAdapter : BackgroundService
{
    private readonly IByteSourceConnector _connector;
    private readonly ReconnectOptions _reconnect;
    private readonly AtSessionOptions _session;
    private readonly TransportCounters _transportCounters;
    private readonly AtSessionCounters _atCounters;
    private readonly ILogger _transportLogger;
    private readonly ILogger _atLogger;

    /// <param name="connector">Opens the modem's line.</param>
    /// <param name="reconnect">Backoff between connection attempts.</param>
    /// <param name="commandTimeout">How long one command may take to its final result code (also the prompt's).</param>
    /// <param name="transportCounters">The line's counters.</param>
    /// <param name="atCounters">The session's counters.</param>
    /// <param name="time">Clock of the session and the backoff.</param>
    /// <param name="loggerFactory">Loggers of the transport and the session.</param>
    protected AtModemAdapter(
        IByteSourceConnector connector,
        ReconnectOptions reconnect,
        TimeSpan commandTimeout,
        TransportCounters transportCounters,
        AtSessionCounters atCounters,
        TimeProvider time,
        ILoggerFactory loggerFactory)
    {
        _connector = connector;
        _reconnect = reconnect;
        _session = new AtSessionOptions(commandTimeout, commandTimeout);
        _transportCounters = transportCounters;
        _atCounters = atCounters;
        Time = time;
        _transportLogger = loggerFactory.CreateLogger(typeof(ReconnectingByteSource));
        _atLogger = loggerFactory.CreateLogger<AtSession>();
    }

    /// <summary>The injected clock.</summary>
    protected TimeProvider Time { get; }

    /// <summary>Where the line is (for the start-up log line).</summary>
    protected string SourceDescription => _connector.Description;

    /// <summary>Logs that the adapter starts on <see cref="SourceDescription"/>.</summary>
    protected abstract void LogStarting();

    /// <summary>
    /// Drives one connection (initialise, poll, send) until it ends: returns (or throws) when the modem
    /// stops answering or <paramref name="reading"/> completes (the line is gone).
    /// </summary>
    protected abstract Task RunConnectionAsync(AtSession session, Task reading, CancellationToken cancellationToken);

    /// <summary>One unsolicited result code, in arrival order.</summary>
    protected abstract ValueTask OnUnsolicitedAsync(AtSession session, AtUnsolicited urc, CancellationToken cancellationToken);

    /// <summary>The connection is over (whatever ended it); runs before the listener and reader are awaited.</summary>
    protected virtual void OnConnectionEnded()
    {
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        LogStarting();
        var source = new ReconnectingByteSource(_connector, _reconnect, Time, _transportLogger, _transportCounters);
        await source.RunDuplexAsync(RunSessionAsync, stoppingToken).ConfigureAwait(false);
    }

    /// <summary>One connection: session, reader, listener, <see cref="RunConnectionAsync"/>, then teardown.</summary>
    internal async Task RunSessionAsync(DeviceLink link, CancellationToken cancellationToken)
    {
        var session = new AtSession(link, _session, _atCounters, Time, _atLogger);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var reading = session.RunAsync(stop.Token);
        var listening = ListenAsync(session, stop.Token);
        try
        {
            await RunConnectionAsync(session, reading, stop.Token).ConfigureAwait(false);
        }
        finally
        {
            OnConnectionEnded();
            await stop.CancelAsync().ConfigureAwait(false);
            await QuietlyAsync(listening).ConfigureAwait(false);
        }

        // A read error (the port went away) surfaces here so the transport logs and reconnects.
        await QuietlyAsync(reading, cancelledOnly: true).ConfigureAwait(false);
    }

    /// <summary>Awaits <paramref name="task"/>, swallowing its cancellation (and, unless <paramref name="cancelledOnly"/>, any fault).</summary>
    protected static async Task QuietlyAsync(Task? task, bool cancelledOnly = false)
    {
        if (task is null)
        {
            return;
        }

        try
        {
            await task.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
        catch (Exception) when (!cancelledOnly)
        {
        }
    }

    private async Task ListenAsync(AtSession session, CancellationToken cancellationToken)
    {
        await foreach (var urc in session.Unsolicited.ReadAllAsync(cancellationToken).ConfigureAwait(false))
        {
            await OnUnsolicitedAsync(session, urc, cancellationToken).ConfigureAwait(false);
        }
    }
}
