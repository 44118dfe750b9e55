namespace EdgeGateway.Time;

/// <summary>
/// One step of the wall clock seen by the gateway: the wall time expected from the monotonic clock
/// (<see cref="Before"/>), the wall time read (<see cref="After"/>), and the monotonic window in which it happened.
/// </summary>
/// <param name="Number">1-based, in the order detected by this process.</param>
/// <param name="Before">The wall time the clock would have shown without the step.</param>
/// <param name="After">The wall time it showed.</param>
/// <param name="MonotonicFrom">Monotonic seconds (since boot on Linux) at the last reading before the step.</param>
/// <param name="MonotonicTo">Monotonic seconds at the reading that saw it.</param>
/// <param name="Synchronised">Whether the kernel said the clock was synchronised (NTP) after the step.</param>
internal sealed record ClockStep(int Number, DateTimeOffset Before, DateTimeOffset After, double MonotonicFrom, double MonotonicTo, bool Synchronised)
{
    /// <summary>After minus before: positive when the clock jumped forward.</summary>
    public TimeSpan Size => After - Before;
}
