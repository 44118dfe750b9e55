using System.ComponentModel.DataAnnotations;
using System.Diagnostics.CodeAnalysis;
using EdgeGateway.Hosting;
using EdgeGateway.Uplink.Drain;

namespace EdgeGateway.Uplink.Mqtt;

/// <summary>The MQTT uplink to FleetControl's broker (configuration section <c>Mqtt</c>).</summary>
[UnconditionalSuppressMessage("Trimming", "IL2026", Justification = OptionsValidation.KeptWhole)]
internal sealed class MqttUplinkOptions : IValidatableObject
{
    public const string SectionName = "Mqtt";

    /// <summary>Broker host name or address.</summary>
    [Required(ErrorMessage = "Mqtt:Host is required.")]
    public string Host { get; set; } = "127.0.0.1";

    /// <summary>Broker TCP port.</summary>
    [Range(1, 65535, ErrorMessage = "Mqtt:Port must be between {1} and {2}.")]
    public int Port { get; set; } = 1883;

    /// <summary>Optional user name; when set, <see cref="Password"/> goes with it.</summary>
    public string? Username { get; set; }

    /// <summary>Optional password.</summary>
    public string? Password { get; set; }

    /// <summary>MQTT keep-alive: how soon a dead connection is noticed when nothing else is sent.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:30:00", ParseLimitsInInvariantCulture = true, ConvertValueInInvariantCulture = true,
        ErrorMessage = "Mqtt:KeepAlive must be between {1} and {2}.")]
    public TimeSpan KeepAlive { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long the broker keeps this device's session (subscriptions, queued acks) while it is offline.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "49710.00:00:00", ParseLimitsInInvariantCulture = true, ConvertValueInInvariantCulture = true,
        ErrorMessage = "Mqtt:SessionExpiry must be between {1} and {2}.")]
    public TimeSpan SessionExpiry { get; set; } = TimeSpan.FromDays(7);

    /// <summary>Time the broker has to answer: one connect attempt (TCP + CONNACK), a SUBACK, a PUBACK.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:05:00", ParseLimitsInInvariantCulture = true, ConvertValueInInvariantCulture = true,
        ErrorMessage = "Mqtt:CommunicationTimeout must be between {1} and {2}.")]
    public TimeSpan CommunicationTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>First reconnect delay; doubles (with jitter) up to <see cref="ReconnectMax"/>.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "01:00:00", ParseLimitsInInvariantCulture = true, ConvertValueInInvariantCulture = true,
        ErrorMessage = "Mqtt:ReconnectMin must be between {1} and {2}.")]
    public TimeSpan ReconnectMin { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Longest reconnect delay: the broker is probed at least this often while it is down.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "01:00:00", ParseLimitsInInvariantCulture = true, ConvertValueInInvariantCulture = true,
        ErrorMessage = "Mqtt:ReconnectMax must be between {1} and {2}.")]
    public TimeSpan ReconnectMax { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// While backing off after the broker could not be reached, how often a bare TCP connect checks
    /// whether it is back; when it is, the MQTT connect is tried at once instead of at the next backoff
    /// tick, so draining resumes within about this long of the broker's return.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "00:10:00", ParseLimitsInInvariantCulture = true, ConvertValueInInvariantCulture = true,
        ErrorMessage = "Mqtt:ReachabilityProbeInterval must be between {1} and {2}.")]
    public TimeSpan ReachabilityProbeInterval { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>
    /// How long FleetControl may take to acknowledge a published batch before every lease is returned
    /// and re-sent. Keep it below the outbox's <c>Outbox:LeaseTimeout</c> (30 s by default).
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "01:00:00", ParseLimitsInInvariantCulture = true, ConvertValueInInvariantCulture = true,
        ErrorMessage = "Mqtt:AckTimeout must be between {1} and {2}.")]
    public TimeSpan AckTimeout { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>Most messages published but not yet acknowledged by FleetControl (the pipelining window).</summary>
    [Range(1, 1_000_000, ErrorMessage = "Mqtt:MaxInFlight must be between {1} and {2}.")]
    public int MaxInFlight { get; set; } = 4000;

    /// <summary>
    /// Most envelope bytes published but not yet acknowledged: no backlog is leased while as many are in flight.
    /// Everything in flight is ahead of an Emergency on the one TCP stream to the broker, so this bounds its wait
    /// there to about this many bytes at the link's rate (256 KiB: ~50 ms on 5 MB/s LTE) whatever the envelopes' sizes;
    /// <see cref="MaxInFlight"/> counts envelopes, and 4000 of the 32-64 KiB kind are megabytes. 256 KiB still covers
    /// the drain's bandwidth-delay product (~4 MiB/s for the ~30 ms from publish to DeliveryAck). Measured with the load
    /// harness (benchmarks/README.md, stop 12): Emergency p99 under a 100k backlog 22-59 ms against 46-71 ms at 1 MiB,
    /// drain ratio 0.89-1.07 against 1.03-1.23.
    /// </summary>
    [Range(64 * 1024, 1L << 40, ErrorMessage = "Mqtt:MaxInFlightBytes must be between {1} and {2}.")]
    public long MaxInFlightBytes { get; set; } = 256 * 1024;

    /// <summary>Most envelopes in one publish (backlog drains in batches; live messages go at once).</summary>
    [Range(1, 10_000, ErrorMessage = "Mqtt:MaxBatch must be between {1} and {2}.")]
    public int MaxBatch { get; set; } = 200;

    /// <summary>
    /// Most messages taken from the outbox in one lease, then published as <see cref="MaxBatch"/>-sized
    /// batches. The drain loop looks at the outbox again only between leases, so this bounds how long an
    /// Emergency waits behind backlog: measured with the load harness, 100 keeps the backlog drain rate
    /// of 1000 while cutting emergency enqueue-to-stored p99 from ~600 ms to ~150 ms (benchmarks/README.md).
    /// </summary>
    [Range(1, 100_000, ErrorMessage = "Mqtt:MaxLease must be between {1} and {2}.")]
    public int MaxLease { get; set; } = 100;

    /// <summary>Most payload bytes in one publish; a batch is split before it grows beyond this.</summary>
    [Range(1024, 256 * 1024 * 1024, ErrorMessage = "Mqtt:MaxBatchBytes must be between {1} and {2}.")]
    public int MaxBatchBytes { get; set; } = 256 * 1024;

    /// <summary>Drain pacing (token bucket, envelopes per second) so a real broker's rate limits are not tripped.</summary>
    [Range(1, 10_000_000, ErrorMessage = "Mqtt:MaxMessagesPerSecond must be between {1} and {2}.")]
    public int MaxMessagesPerSecond { get; set; } = 100_000;

    /// <summary>The limits the bearer-agnostic drain scheduler works with.</summary>
    public DrainSettings ToDrainSettings() =>
        new(MaxInFlight, MaxLease, MaxBatch, MaxBatchBytes, MaxMessagesPerSecond, AckTimeout, MaxInFlightBytes);

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (ReconnectMax < ReconnectMin)
        {
            yield return new ValidationResult(
                "Mqtt:ReconnectMax must not be shorter than Mqtt:ReconnectMin.", [nameof(ReconnectMax), nameof(ReconnectMin)]);
        }

        if (Password is not null && string.IsNullOrEmpty(Username))
        {
            yield return new ValidationResult("Mqtt:Password is set but Mqtt:Username is not.", [nameof(Username)]);
        }
    }
}
