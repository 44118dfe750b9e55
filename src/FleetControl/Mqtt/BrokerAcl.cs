using EdgeGateway.Contracts;

namespace FleetControl.Mqtt;

/// <summary>
/// The embedded broker's access rules. A device connects with its device id as client id and may
/// publish and subscribe only under <c>fleet/v1/{its id}/</c>. FleetControl's own ingest client
/// (authenticated by <see cref="IngestClientIdentity"/>) may publish acks and subscribe to everything.
/// </summary>
internal static class BrokerAcl
{
    /// <summary>May a client with this id and password connect?</summary>
    public static bool MayConnect(string clientId, string? password, string ingestClientId, string ingestPassword)
    {
        if (string.Equals(clientId, ingestClientId, StringComparison.Ordinal))
        {
            return string.Equals(password, ingestPassword, StringComparison.Ordinal);
        }

        return Topics.IsValidDeviceId(clientId);
    }

    /// <summary>May <paramref name="clientId"/> publish to <paramref name="topic"/>?</summary>
    public static bool MayPublish(string? clientId, string topic, string ingestClientId)
    {
        if (string.IsNullOrEmpty(clientId))
        {
            return true; // injected by the server itself
        }

        if (string.Equals(clientId, ingestClientId, StringComparison.Ordinal))
        {
            return true;
        }

        return IsUnderOwnPrefix(clientId, topic);
    }

    /// <summary>May <paramref name="clientId"/> subscribe to <paramref name="filter"/>?</summary>
    public static bool MaySubscribe(string clientId, string filter, string ingestClientId)
    {
        if (string.Equals(clientId, ingestClientId, StringComparison.Ordinal))
        {
            return true;
        }

        return IsUnderOwnPrefix(clientId, filter);
    }

    private static bool IsUnderOwnPrefix(string clientId, string topic)
    {
        var prefix = Topics.DevicePrefix(clientId);
        // "fleet/v1/car-1/..." only: not "fleet/v1/car-10/...", not wildcards above the device level.
        return Topics.IsValidDeviceId(clientId)
            && topic.Length > prefix.Length + 1
            && topic.StartsWith(prefix, StringComparison.Ordinal)
            && topic[prefix.Length] == '/';
    }
}
