using System.IO.Pipelines;
using Microsoft.Extensions.Logging;

namespace EdgeGateway.Transport;

/// <summary>
/// Keeps a device connection alive: connects, runs a session over the connection (read-only through a
/// <see cref="PipeReader"/>, or duplex through a <see cref="DeviceLink"/>), and on failure or end-of-stream
/// reconnects with exponential backoff. Device faults are logged and counted, never thrown to the host;
/// only cancellation ends <see cref="RunAsync"/>. With a <see cref="TrafficRecorder"/> every byte in both
/// directions is recorded.
/// </summary>
internal sealed class ReconnectingByteSource
{
    private readonly IByteSourceConnector _connector;
    private readonly ReconnectOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly TransportCounters _counters;
    private readonly TrafficRecorder? _recorder;

    public ReconnectingByteSource(
        IByteSourceConnector connector,
        ReconnectOptions options,
        TimeProvider time,
        ILogger logger,
        TransportCounters counters,
        TrafficRecorder? recorder = null)
    {
        _recorder = recorder;
        _connector = connector;
        _options = options;
        _time = time;
        _logger = logger;
        _counters = counters;
    }

    /// <summary>
    /// Runs until cancelled. <paramref name="session"/> reads one connection until it returns (end of
    /// stream, idle timeout) or throws (read error); either way a new connection follows.
    /// </summary>
    public Task RunAsync(Func<PipeReader, CancellationToken, Task> session, CancellationToken cancellationToken) =>
        RunDuplexAsync((link, ct) => session(link.Input, ct), cancellationToken);

    /// <summary>As <see cref="RunAsync"/>, for a session that also writes to the device (an AT modem).</summary>
    public async Task RunDuplexAsync(Func<DeviceLink, CancellationToken, Task> session, CancellationToken cancellationToken)
    {
        var delay = _options.MinDelay;
        while (!cancellationToken.IsCancellationRequested)
        {
            ByteSourceConnection connection;
            try
            {
                connection = await _connector.ConnectAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
            {
                _counters.CountConnectFailure();
                Log.ConnectFailed(_logger, _connector.Description, delay, ex);
                await WaitAsync(delay, cancellationToken).ConfigureAwait(false);
                delay = Next(delay);
                continue;
            }

            _counters.CountConnect();
            Log.Connected(_logger, _connector.Description);
            var started = _time.GetTimestamp();
            try
            {
                await using (connection.ConfigureAwait(false))
                {
                    // A blocked serial read may ignore the token; closing the port releases it.
                    await using var abort = cancellationToken.UnsafeRegister(
                        static state => _ = ((ByteSourceConnection)state!).DisposeAsync().AsTask(), connection).ConfigureAwait(false);
                    var stream = _recorder is null ? connection.Stream : new RecordingStream(connection.Stream, _recorder);
                    var reader = PipeReader.Create(stream, new StreamPipeReaderOptions(leaveOpen: true));
                    try
                    {
                        await session(new DeviceLink(reader, stream), cancellationToken).ConfigureAwait(false);
                    }
                    finally
                    {
                        await reader.CompleteAsync().ConfigureAwait(false);
                    }
                }

                if (cancellationToken.IsCancellationRequested)
                {
                    break;
                }

                _counters.CountDisconnect();
                delay = ResetIfLongLived(delay, started);
                Log.EndOfStream(_logger, _connector.Description, delay);
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
            {
                _counters.CountDisconnect();
                delay = ResetIfLongLived(delay, started);
                Log.ConnectionFailed(_logger, _connector.Description, delay, ex);
            }
            catch (Exception) when (cancellationToken.IsCancellationRequested)
            {
                break;
            }

            await WaitAsync(delay, cancellationToken).ConfigureAwait(false);
            delay = Next(delay);
        }
    }

    /// <summary>A connection that stayed up for a while was healthy; start the backoff again from the minimum.</summary>
    private TimeSpan ResetIfLongLived(TimeSpan delay, long started) =>
        _time.GetElapsedTime(started) >= _options.MaxDelay ? _options.MinDelay : delay;

    private TimeSpan Next(TimeSpan delay)
    {
        var doubled = delay + delay;
        return doubled > _options.MaxDelay ? _options.MaxDelay : doubled;
    }

    private async Task WaitAsync(TimeSpan delay, CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(delay, _time, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Shutting down.
        }
    }
}
