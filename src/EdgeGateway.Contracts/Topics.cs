using EdgeGateway.Contracts.V1;

namespace EdgeGateway.Contracts;

/// <summary>
/// MQTT topic names shared by gateway and FleetControl. Topics are versioned and device-scoped:
/// a device publishes only under <c>fleet/v1/{deviceId}/</c>.
/// </summary>
public static class Topics
{
    /// <summary>Root of every topic of this contract version.</summary>
    public const string Root = "fleet/v1";

    /// <summary>The prefix a device may publish under.</summary>
    public static string DevicePrefix(string deviceId) => $"{Root}/{deviceId}";

    /// <summary>Where envelopes of <paramref name="priority"/> on <paramref name="stream"/> are published.</summary>
    /// <remarks>Emergency, Alert and Event go to <c>events/{stream}</c>; Read and Telemetry to
    /// <c>telemetry/{stream}</c>; Bulk to <c>bulk/{stream}</c>.</remarks>
    public static string ForEnvelope(string deviceId, PriorityClass priority, string stream) =>
        $"{Root}/{deviceId}/{Category(priority)}/{stream}";

    /// <summary>Retained online/offline status (and the MQTT last will).</summary>
    public static string Status(string deviceId) => $"{Root}/{deviceId}/status";

    /// <summary>FleetControl's durable-storage acknowledgements for one device.</summary>
    public static string Acks(string deviceId) => $"{Root}/{deviceId}/acks";

    /// <summary>Commands addressed to one device.</summary>
    public static string Command(string deviceId, string commandId) => $"{Root}/{deviceId}/commands/{commandId}";

    /// <summary>Subscription filter for all commands of one device.</summary>
    public static string CommandsFilter(string deviceId) => $"{Root}/{deviceId}/commands/+";

    /// <summary>Where a device publishes the result(s) of one command (under its own prefix).</summary>
    public static string CommandResult(string deviceId, string commandId) => $"{Root}/{deviceId}/command-results/{commandId}";

    /// <summary>Subscription filter FleetControl uses for every device's command results.</summary>
    public const string CommandResultsFilter = $"{Root}/+/command-results/+";

    /// <summary>Every device's urgent and event traffic (Emergency, Alert, Event): FleetControl's events connection.</summary>
    public const string EventsFilter = $"{Root}/+/events/#";

    /// <summary>Subscription filters FleetControl uses to ingest every device's uplink traffic.</summary>
    public static IReadOnlyList<string> IngestFilters { get; } =
    [
        EventsFilter,
        $"{Root}/+/telemetry/#",
        $"{Root}/+/bulk/#",
    ];

    /// <summary>Subscription filter for every device's retained status.</summary>
    public const string StatusFilter = $"{Root}/+/status";

    /// <summary>The topic level that follows the device id for a priority class.</summary>
    public static string Category(PriorityClass priority) => priority switch
    {
        PriorityClass.Emergency or PriorityClass.Alert or PriorityClass.Event => "events",
        PriorityClass.Read or PriorityClass.Telemetry => "telemetry",
        PriorityClass.Bulk => "bulk",
        _ => throw new ArgumentOutOfRangeException(nameof(priority), priority, "No topic category for this priority class."),
    };

    /// <summary>
    /// Splits <c>fleet/v1/{deviceId}/{rest}</c>. Returns false for any topic outside this contract version.
    /// </summary>
    public static bool TryParse(string topic, out string deviceId, out string rest)
    {
        deviceId = string.Empty;
        rest = string.Empty;
        const string prefix = Root + "/";
        if (!topic.StartsWith(prefix, StringComparison.Ordinal))
        {
            return false;
        }

        var afterRoot = topic.AsSpan(prefix.Length);
        var slash = afterRoot.IndexOf('/');
        if (slash <= 0)
        {
            return false;
        }

        deviceId = afterRoot[..slash].ToString();
        rest = afterRoot[(slash + 1)..].ToString();
        return rest.Length > 0;
    }

    /// <summary>
    /// A device id must be usable as one topic level and one file name: letters, digits, '-', '_' and '.'.
    /// </summary>
    public static bool IsValidDeviceId(string? deviceId) =>
        !string.IsNullOrEmpty(deviceId) && deviceId.Length <= 64 && deviceId != "." && deviceId != ".." &&
        deviceId.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.');
}
