namespace EdgeGateway.Hosting.Watchdog;

/// <summary>
/// How a loop tells the watchdog it is making progress, at the cost of one timestamp write per step: it is
/// <see cref="Working"/> while it carries out a step and <see cref="Idle"/> while it waits for work. Waiting
/// is healthy however long it lasts (an idle gateway sleeps and is never woken just to say so); a step that
/// has not finished within <see cref="WatchdogOptions.MaxBusy"/> means the loop is wedged.
/// </summary>
internal sealed class LivenessProbe
{
    private const long IdleMark = 0;
    private long _busySince = IdleMark;

    public LivenessProbe(string name) => Name = name;

    /// <summary>The loop's name in the watchdog's log line (<c>drain</c>, <c>gnss</c>).</summary>
    public string Name { get; }

    /// <summary>A step starts (or a long step made progress): the clock restarts.</summary>
    public void Working(TimeProvider time) => Volatile.Write(ref _busySince, Math.Max(1, time.GetTimestamp()));

    /// <summary>The loop waits for work.</summary>
    public void Idle() => Volatile.Write(ref _busySince, IdleMark);

    /// <summary>How long the current step has run, or null while idle.</summary>
    public TimeSpan? BusyFor(TimeProvider time)
    {
        var since = Volatile.Read(ref _busySince);
        return since == IdleMark ? null : time.GetElapsedTime(since);
    }
}
