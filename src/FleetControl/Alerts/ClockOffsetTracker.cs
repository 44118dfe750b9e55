using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace FleetControl.Alerts;

/// <summary>
/// Estimates each device's clock offset (device clock minus FleetControl's) from the messages that carry the
/// device's own time: its live <c>DeviceStatus.At</c> and its envelopes' <c>CapturedAt</c>, against the time
/// FleetControl received them.
/// </summary>
/// <remarks>
/// <para>Every sample gives a lower bound: a message cannot arrive before it was written, so
/// <c>offset &gt;= deviceTime - receivedAt</c>; queueing on the device, in the broker or in FleetControl only makes
/// the difference smaller. The estimate is the largest difference (the least delayed message) among the samples
/// received in the last <see cref="AlertOptions.ClockOffsetWindow"/>, so a fast clock is proven by any message.</para>
/// <para>A slow clock and a backlog look alike: an envelope drained from an hour-old backlog has a capture time an
/// hour ago. Only a message known to be sent live can prove a slow clock: the gateway publishes its status (online,
/// with <c>At</c> = now) at every connect, straight to the broker, outside its outbox. So when the window's
/// estimate says "slow", it is raised to the device's latest live status sample (a retained replay does not count):
/// a device with a correct clock draining a backlog is not flagged; a device whose clock is slow is, from its
/// connect on. Without a live status since FleetControl started, a slow-looking estimate is unknown (null), never
/// flagged. Not detected: a clock that drifts slow during one connection while every message is backlog. Estimates
/// live in memory: after a restart they come back with the next messages.</para>
/// </remarks>
internal sealed class ClockOffsetTracker(TimeProvider time, IOptions<AlertOptions> options)
{
    private readonly AlertOptions _options = options.Value;
    private readonly ConcurrentDictionary<string, DeviceClock> _devices = new(StringComparer.Ordinal);

    /// <summary>|offset| above this flags the device (<c>Alerts:ClockOffsetThreshold</c>).</summary>
    public TimeSpan Threshold => _options.ClockOffsetThreshold;

    /// <summary>A live status (not a retained replay, online) received now, stamped <paramref name="deviceTime"/> by the device.</summary>
    public void OnLiveStatus(string deviceId, DateTimeOffset deviceTime) => Add(deviceId, deviceTime, live: true);

    /// <summary>An envelope (or the newest envelope of a batch) received now, captured at <paramref name="deviceTime"/> by the device's clock.</summary>
    public void OnEnvelope(string deviceId, DateTimeOffset deviceTime) => Add(deviceId, deviceTime, live: false);

    /// <summary>The device's estimated clock offset (positive: the device is ahead), or null without samples.</summary>
    public TimeSpan? OffsetOf(string deviceId)
    {
        if (!_devices.TryGetValue(deviceId, out var clock))
        {
            return null;
        }

        var now = time.GetUtcNow();
        lock (clock)
        {
            clock.Samples.RemoveAll(s => now - s.ReceivedAt > _options.ClockOffsetWindow);
            TimeSpan? best = clock.Samples.Count == 0 ? clock.Last : clock.Samples.Max(s => s.Difference);
            if (best is { } b && b < -_options.ClockOffsetThreshold)
            {
                // Looks slow: believed only as far as the latest live status says (the rest may be backlog);
                // unknown without one (e.g. after FleetControl restarted while the device drains a backlog).
                best = clock.LiveStatus is { } live ? (live > b ? live : b) : null;
            }

            clock.Last = best;
            return best;
        }
    }

    /// <summary>True when the device's |offset| is above the threshold.</summary>
    public bool IsSuspect(string deviceId) => OffsetOf(deviceId) is { } offset && offset.Duration() > _options.ClockOffsetThreshold;

    /// <summary>Every device with an estimate.</summary>
    public IReadOnlyList<string> Devices => [.. _devices.Keys];

    private void Add(string deviceId, DateTimeOffset deviceTime, bool live)
    {
        var now = time.GetUtcNow();
        var difference = deviceTime - now;
        var clock = _devices.GetOrAdd(deviceId, _ => new DeviceClock());
        lock (clock)
        {
            clock.Samples.RemoveAll(s => now - s.ReceivedAt > _options.ClockOffsetWindow);
            // One sample per 1/60 of the window (the least delayed), so a busy device holds at most ~60.
            if (clock.Samples.Count > 0 && now - clock.Samples[^1].ReceivedAt < _options.ClockOffsetWindow / 60)
            {
                var last = clock.Samples[^1];
                clock.Samples[^1] = last with { Difference = difference > last.Difference ? difference : last.Difference };
            }
            else
            {
                clock.Samples.Add(new Sample(now, difference));
            }

            if (live)
            {
                clock.LiveStatus = difference;
            }
        }
    }

    private readonly record struct Sample(DateTimeOffset ReceivedAt, TimeSpan Difference);

    private sealed class DeviceClock
    {
        public List<Sample> Samples { get; } = [];

        /// <summary>Device time minus receive time of the latest live status.</summary>
        public TimeSpan? LiveStatus { get; set; }

        /// <summary>The last estimate, kept while no sample arrives.</summary>
        public TimeSpan? Last { get; set; }
    }
}
