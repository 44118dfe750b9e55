using EdgeGateway.Contracts.V1;
using EdgeGateway.Core;
using EdgeGateway.Time;
using Google.Protobuf.WellKnownTypes;

namespace EdgeGateway.Outbox.Policy;

/// <summary>
/// The one place that decides how an envelope is stamped (message id, device id, captured-at,
/// sequence hand-off), which stored class it belongs to, and when it expires. Used by the
/// observation sink, by admission, leasing and the expiry sweep of every outbox, and meant for
/// the uplink's "expired before publish" check (<see cref="IsExpiredAt(DateTimeOffset, DateTimeOffset)"/>).
/// </summary>
/// <remarks>Immutable apart from the shared id generator; thread-safe.</remarks>
internal sealed class EnvelopePolicy
{
    /// <summary>Stream of the outbox's own DataLossReports.</summary>
    public const string DataLossStream = "data-loss";

    /// <summary>Stream of the outbox's own alarms (DeviceEvent).</summary>
    public const string AlarmStream = "outbox";

    private static readonly long MaxUnixMs = DateTimeOffset.MaxValue.ToUnixTimeMilliseconds();
    private static readonly int TelemetryIndex = OutboxClassDefaults.IndexOf(PriorityClass.Telemetry);

    private readonly OutboxClassSettings[] _classes;
    private readonly long _liveWindowMs;
    private readonly string _deviceId;
    private readonly TimeProvider _timeProvider;
    private readonly MonotonicMessageIdGenerator _ids;
    private readonly IClockStatus? _clock;

    /// <param name="options">Class settings and the live window.</param>
    /// <param name="deviceId">The id every envelope is stamped with.</param>
    /// <param name="timeProvider">The system clock.</param>
    /// <param name="ids">The gateway's one message id generator.</param>
    /// <param name="clock">Whether the system clock is synchronised; null: never claimed (readings are LOCAL).</param>
    public EnvelopePolicy(OutboxOptions options, string deviceId, TimeProvider timeProvider, MonotonicMessageIdGenerator ids, IClockStatus? clock = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _classes = OutboxClassDefaults.Resolve(options);
        _liveWindowMs = (long)options.LiveWindow.TotalMilliseconds;
        _deviceId = deviceId;
        _timeProvider = timeProvider;
        _ids = ids;
        _clock = clock;
    }

    /// <summary>
    /// The label of a reading of the system clock: NTP while the kernel says a time service disciplines
    /// it, LOCAL otherwise. Receivers' own time (GNSS) is labelled by the adapter and kept as it is.
    /// </summary>
    public TimeSource SystemClockSource => _clock?.IsSynchronised == true ? TimeSource.Ntp : TimeSource.Local;

    /// <summary>Effective per-class settings, indexed like <see cref="OutboxClassDefaults.All"/>.</summary>
    public IReadOnlyList<OutboxClassSettings> Classes => _classes;

    /// <summary>The device id every envelope is stamped with.</summary>
    public string DeviceId => _deviceId;

    /// <summary>True for the streams only the outbox itself writes (data-loss reports, alarms).</summary>
    public static bool IsReservedStream(string stream) => stream is DataLossStream or AlarmStream;

    /// <summary>The stored class (index into <see cref="OutboxClassDefaults.All"/>) of a priority; -1 if not stored.</summary>
    public static int ClassOf(PriorityClass priority) => OutboxClassDefaults.IndexOf(priority);

    /// <summary>True if a full class leases "live first" (newest within the live window, then history oldest-first).</summary>
    public bool IsLiveFirst(int classIndex) => classIndex == TelemetryIndex && _liveWindowMs > 0;

    /// <summary>True if a class at quota thins and evicts its history instead of refusing.</summary>
    public static bool Thins(int classIndex) => classIndex == TelemetryIndex;

    /// <summary>
    /// Unix ms at which a message of this class captured at <paramref name="capturedMs"/> expires,
    /// saturating at <see cref="DateTimeOffset.MaxValue"/> (so it always converts back to a time).
    /// </summary>
    public long ExpiresMs(int classIndex, long capturedMs)
    {
        var expiry = (long)_classes[classIndex].Expiry.TotalMilliseconds;
        return capturedMs > MaxUnixMs - expiry ? MaxUnixMs : capturedMs + expiry;
    }

    /// <summary>When a message of this class captured at <paramref name="captured"/> expires (saturating at <see cref="DateTimeOffset.MaxValue"/>).</summary>
    public DateTimeOffset ExpiresAt(int classIndex, DateTimeOffset captured)
    {
        var expiry = _classes[classIndex].Expiry;
        return DateTimeOffset.MaxValue - captured > expiry ? captured + expiry : DateTimeOffset.MaxValue;
    }

    /// <summary>The stored test: a message is expired at the first millisecond of its expiry.</summary>
    public static bool IsExpiredAt(long expiresMs, long nowMs) => expiresMs <= nowMs;

    /// <summary>
    /// The same test on a leased message; <see cref="DateTimeOffset.MinValue"/> and
    /// <see cref="DateTimeOffset.MaxValue"/> mean "never expires" (the uplink's rule).
    /// </summary>
    public static bool IsExpiredAt(DateTimeOffset expiresAt, DateTimeOffset now) =>
        expiresAt != DateTimeOffset.MinValue && expiresAt != DateTimeOffset.MaxValue && expiresAt <= now;

    /// <summary>Smallest message id stamped within the live window before <paramref name="nowMs"/> (ids at or above it are "live").</summary>
    public byte[] LiveBoundary(long nowMs) => MonotonicMessageIdGenerator.LowerBoundFor(nowMs - _liveWindowMs);

    /// <summary>
    /// Checks a draft observation and stamps what does not depend on its stream's sequence:
    /// captured-at (now, local clock, if the device gave none), expiry from its class and the
    /// device id. Returns its class index. Throws <see cref="ArgumentException"/> for a draft no
    /// outbox can store (empty or reserved stream, priority that is not a class).
    /// </summary>
    public int StampDraft(Envelope draft)
    {
        ArgumentNullException.ThrowIfNull(draft);
        if (string.IsNullOrEmpty(draft.Stream) || IsReservedStream(draft.Stream))
        {
            throw new ArgumentException($"Observation stream '{draft.Stream}' is empty or reserved for the outbox.", nameof(draft));
        }

        var classIndex = ClassOf(draft.Priority);
        if (classIndex < 0)
        {
            throw new ArgumentException($"Observation priority {draft.Priority} is not a priority class.", nameof(draft));
        }

        if (draft.CapturedAt is null)
        {
            draft.CapturedAt = Timestamp.FromDateTimeOffset(_timeProvider.GetUtcNow());
        }

        // Adapters say LOCAL (or nothing) for "the system clock"; this decides whether that clock is NTP-disciplined.
        if (draft.TimeSource is TimeSource.Unspecified or TimeSource.Local)
        {
            draft.TimeSource = SystemClockSource;
        }

        draft.ExpiresAt = Timestamp.FromDateTimeOffset(ExpiresAt(classIndex, draft.CapturedAt.ToDateTimeOffset()));
        draft.DeviceId = _deviceId;
        return classIndex;
    }

    /// <summary>
    /// The sequence hand-off: gives a stamped draft its stream's next sequence and a fresh message
    /// id (monotonic, so ids issued later sort later). Called once the stream's order is held.
    /// </summary>
    public void StampIdentity(Envelope draft, ulong sequence)
    {
        ArgumentNullException.ThrowIfNull(draft);
        draft.Sequence = sequence;
        draft.MessageId = _ids.NextString();
    }

    /// <summary>A fully stamped envelope for the outbox's own reports and alarms (captured now, local clock).</summary>
    public Envelope NewInternal(string stream, PriorityClass priority, ulong sequence)
    {
        var now = _timeProvider.GetUtcNow();
        return new Envelope
        {
            MessageId = _ids.NextString(),
            DeviceId = _deviceId,
            Stream = stream,
            Sequence = sequence,
            CapturedAt = Timestamp.FromDateTimeOffset(now),
            TimeSource = SystemClockSource,
            Priority = priority,
            ExpiresAt = Timestamp.FromDateTimeOffset(now + _classes[ClassOf(priority)].Expiry),
        };
    }
}
