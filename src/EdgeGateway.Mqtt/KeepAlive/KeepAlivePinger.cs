using System.Globalization;

namespace EdgeGateway.Mqtt.KeepAlive;

/// <summary>
/// The MQTT keep-alive of one connection, on a single timer: it is due at last send + keep-alive period, and
/// only then sends a ping (bounded to half the period, the grace the broker still allows). Sends only record
/// their time; they never touch the timer, so a busy link costs one wake-up per period and an idle link one
/// ping per period. A ping that fails or times out is reported once through the failure callback and the
/// pinger stops. MQTTnet's own loop would instead wake every 250 ms whatever the period.
/// </summary>
internal sealed class KeepAlivePinger : IDisposable
{
    private readonly TimeProvider _time;
    private readonly Func<CancellationToken, Task> _ping;
    private readonly Action<Exception> _failed;
    private readonly CancellationTokenSource _stopped = new();
    private readonly ITimer _timer;
    private long _lastSent;
    private int _wakeUps;
    private int _pings;
    private int _answered;

    /// <param name="period">The keep-alive period agreed with the broker.</param>
    /// <param name="time">The clock; the system clock in production.</param>
    /// <param name="ping">Sends a PINGREQ and completes when the PINGRESP arrives; cancelled at the timeout.</param>
    /// <param name="failed">Called once when a ping failed or was not answered in time.</param>
    public KeepAlivePinger(TimeSpan period, TimeProvider time, Func<CancellationToken, Task> ping, Action<Exception> failed)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(period, TimeSpan.Zero);
        Period = period;
        PingTimeout = period / 2;
        _time = time;
        _ping = ping;
        _failed = failed;
        _lastSent = time.GetTimestamp();
        _timer = time.CreateTimer(static state => ((KeepAlivePinger)state!).OnDue(), this, period, Timeout.InfiniteTimeSpan);
    }

    /// <summary>The keep-alive period: the longest the link stays silent before a ping.</summary>
    public TimeSpan Period { get; }

    /// <summary>How long a ping may wait for its answer before the link counts as lost.</summary>
    public TimeSpan PingTimeout { get; }

    /// <summary>How often the timer has fired (counted, so a test can show the pinger does not poll).</summary>
    public int WakeUps => Volatile.Read(ref _wakeUps);

    /// <summary>Pings sent.</summary>
    public int Pings => Volatile.Read(ref _pings);

    /// <summary>Pings answered in time (counted once the timer is set for the next one).</summary>
    public int Answered => Volatile.Read(ref _answered);

    /// <summary>Records that a packet went out now; the next ping is due a full period later.</summary>
    public void Sent() => Volatile.Write(ref _lastSent, _time.GetTimestamp());

    /// <summary>Stops the timer and cancels a ping in progress (without reporting it as a failure).</summary>
    public void Dispose()
    {
        if (_stopped.IsCancellationRequested)
        {
            return;
        }

        _stopped.Cancel();
        _timer.Dispose();
    }

    private void OnDue()
    {
        Interlocked.Increment(ref _wakeUps);
        if (_stopped.IsCancellationRequested)
        {
            return;
        }

        var quiet = _time.GetElapsedTime(Volatile.Read(ref _lastSent));
        if (quiet < Period)
        {
            Arm(Period - quiet); // something was sent meanwhile: due a period after it
            return;
        }

        _ = PingAsync();
    }

    private async Task PingAsync()
    {
        Interlocked.Increment(ref _pings);
        Sent(); // the PINGREQ is a packet sent
        try
        {
            using var timeout = new CancellationTokenSource(PingTimeout, _time);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, _stopped.Token);
            try
            {
                await _ping(linked.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException exception) when (timeout.IsCancellationRequested && !_stopped.IsCancellationRequested)
            {
                throw new TimeoutException(
                    string.Create(CultureInfo.InvariantCulture, $"keep-alive ping not answered within {PingTimeout.TotalSeconds:0.###} s"), exception);
            }
        }
        catch (Exception exception) when (!_stopped.IsCancellationRequested)
        {
            Dispose();
            _failed(exception);
            return;
        }
        catch (Exception)
        {
            return; // stopped meanwhile
        }

        Arm(Period - _time.GetElapsedTime(Volatile.Read(ref _lastSent)));
        Interlocked.Increment(ref _answered);
    }

    private void Arm(TimeSpan due)
    {
        try
        {
            _timer.Change(due > TimeSpan.Zero ? due : TimeSpan.Zero, Timeout.InfiniteTimeSpan);
        }
        catch (ObjectDisposedException)
        {
            // Stopped meanwhile.
        }
    }
}
