using System.ComponentModel.DataAnnotations;
using System.Net;

namespace FleetControl.Mqtt;

/// <summary>Broker and ingest-client settings (configuration section <c>Mqtt</c>).</summary>
internal sealed class MqttOptions : IValidatableObject
{
    public const string SectionName = "Mqtt";

    /// <summary>Embedded (default) or External.</summary>
    public MqttMode Mode { get; set; } = MqttMode.Embedded;

    /// <summary>Embedded: the port the broker listens on. External: the broker's port.</summary>
    [Range(1, 65535, ErrorMessage = "Mqtt:Port must be 1-65535.")]
    public int Port { get; set; } = 1883;

    /// <summary>Embedded only: address the broker binds to; 0.0.0.0 to serve other machines.</summary>
    public string BindAddress { get; set; } = "127.0.0.1";

    /// <summary>External only: broker host name or address.</summary>
    public string Host { get; set; } = "127.0.0.1";

    /// <summary>External only: user name for the ingest client (optional).</summary>
    public string? Username { get; set; }

    /// <summary>External only: password for the ingest client (optional).</summary>
    public string? Password { get; set; }

    /// <summary>Client id of FleetControl's ingest client; its persistent session is keyed on it.</summary>
    [Required(ErrorMessage = "Mqtt:ClientId is required.")]
    [RegularExpression(@"^[A-Za-z0-9._-]{1,64}$", ErrorMessage = "Mqtt:ClientId must be 1-64 characters of letters, digits, '.', '_' or '-'.")]
    public string ClientId { get; set; } = "fleetcontrol-ingest";

    /// <summary>
    /// True (default): the urgent topics (<c>fleet/v1/+/events/#</c>: Emergency, Alert, Event) come in on a second
    /// connection and session of their own, client id <see cref="EventsClientId"/>, so a broker never queues an
    /// Emergency behind the backlog a gateway sends when its link comes back. False: one connection for everything
    /// (and an external broker's events session of before is emptied and deleted at start-up). An external broker's ACL
    /// must let the second client id (its certificate's name, with TLS) read those topics.
    /// </summary>
    public bool EventsSession { get; set; } = true;

    /// <summary>Client id of the events connection: <see cref="ClientId"/> followed by <c>-events</c>.</summary>
    public string EventsClientId => ClientId + "-events";

    /// <summary>The client ids FleetControl's ingest connects as (never a device's).</summary>
    public bool IsIngestClientId(string? clientId) =>
        string.Equals(clientId, ClientId, StringComparison.Ordinal) || string.Equals(clientId, EventsClientId, StringComparison.Ordinal);

    /// <summary>
    /// Optional shared-subscription group: several FleetControl instances behind one clustered broker
    /// subscribe as <c>$share/{group}/...</c> and split the load.
    /// </summary>
    [RegularExpression(@"^[A-Za-z0-9._-]{1,64}$", ErrorMessage = "Mqtt:SharedSubscriptionGroup must be 1-64 characters of letters, digits, '.', '_' or '-'.")]
    public string? SharedSubscriptionGroup { get; set; }

    /// <summary>
    /// Embedded only: messages the broker queues for one client (above all FleetControl's ingest client
    /// while the store catches up) before it drops the oldest. Dropped envelopes are not lost (the
    /// gateway re-sends what was never acknowledged) but cost a round trip.
    /// </summary>
    [Range(100, 10_000_000, ErrorMessage = "Mqtt:MaxPendingMessagesPerClient must be 100-10000000.")]
    public int MaxPendingMessagesPerClient { get; set; } = 100_000;

    /// <summary>How long the broker keeps the ingest session (and queues its messages) while FleetControl is down.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "49710.00:00:00", ErrorMessage = "Mqtt:SessionExpiry must be between 1 second and 49710 days.")]
    public TimeSpan SessionExpiry { get; set; } = TimeSpan.FromDays(7);

    /// <summary>Pause between reconnect attempts of the ingest client.</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "01:00:00", ErrorMessage = "Mqtt:ReconnectDelay must be between 50 ms and 1 hour.")]
    public TimeSpan ReconnectDelay { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>MQTT keep-alive of the ingest client.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "18:00:00", ErrorMessage = "Mqtt:KeepAlive must be between 1 second and 18 hours.")]
    public TimeSpan KeepAlive { get; set; } = TimeSpan.FromSeconds(15);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Mode == MqttMode.Embedded && !IPAddress.TryParse(BindAddress, out _))
        {
            yield return new ValidationResult($"Mqtt:BindAddress '{BindAddress}' is not an IP address.", [nameof(BindAddress)]);
        }

        if (Mode == MqttMode.External && string.IsNullOrWhiteSpace(Host))
        {
            yield return new ValidationResult("Mqtt:Host is required when Mqtt:Mode is External.", [nameof(Host)]);
        }

        if (!Enum.IsDefined(Mode))
        {
            yield return new ValidationResult($"Mqtt:Mode '{Mode}' is not Embedded or External.", [nameof(Mode)]);
        }
    }
}
