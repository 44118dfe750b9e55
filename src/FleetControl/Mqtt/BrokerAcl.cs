using System.Security.Cryptography.X509Certificates;
using EdgeGateway.Contracts;
using FleetControl.Identity;

namespace FleetControl.Mqtt;

/// <summary>
/// The embedded broker's access rules. A device connects with its device id as client id (with TLS on,
/// the id in its certificate) and may publish only under <c>fleet/v1/{its id}/</c> and subscribe only to
/// its own acknowledgements and commands. FleetControl's own ingest connections (both client ids of
/// <see cref="MqttOptions.IsIngestClientId"/>, authenticated by <see cref="IngestClientIdentity"/>) may publish acks and
/// subscribe to everything.
/// </summary>
internal static class BrokerAcl
{
    /// <summary>May a client with this id and password connect?</summary>
    public static bool MayConnect(string clientId, string? password, MqttOptions ingest, string ingestPassword)
    {
        if (ingest.IsIngestClientId(clientId))
        {
            return string.Equals(password, ingestPassword, StringComparison.Ordinal);
        }

        return Topics.IsValidDeviceId(clientId);
    }

    /// <summary>
    /// With TLS on: null when the client certificate is valid (device CA, unexpired, unrevoked) and names
    /// this client id; otherwise why not. The device id is the certificate's, never the one a client claims.
    /// </summary>
    public static string? CertificateIdentityProblem(string clientId, X509Certificate2? certificate, CertificateAuthority authority)
    {
        var check = authority.Validate(certificate);
        if (!check.IsValid)
        {
            return check.Reason;
        }

        return string.Equals(check.DeviceId, clientId, StringComparison.Ordinal)
            ? null
            : $"client id '{clientId}' is not the certificate's device id '{check.DeviceId}'";
    }

    /// <summary>May <paramref name="clientId"/> publish to <paramref name="topic"/>?</summary>
    public static bool MayPublish(string? clientId, string topic, MqttOptions ingest)
    {
        if (string.IsNullOrEmpty(clientId))
        {
            return true; // injected by the server itself
        }

        if (ingest.IsIngestClientId(clientId))
        {
            return true;
        }

        return IsUnderOwnPrefix(clientId, topic);
    }

    /// <summary>
    /// May <paramref name="clientId"/> subscribe to <paramref name="filter"/>? A device only to its own
    /// acknowledgements and its own commands (<c>commands/+</c>, <c>commands/#</c> or one command id).
    /// </summary>
    public static bool MaySubscribe(string clientId, string filter, MqttOptions ingest)
    {
        if (ingest.IsIngestClientId(clientId))
        {
            return true;
        }

        if (!Topics.IsValidDeviceId(clientId))
        {
            return false;
        }

        if (string.Equals(filter, Topics.Acks(clientId), StringComparison.Ordinal))
        {
            return true;
        }

        var commands = Topics.DevicePrefix(clientId) + "/commands/";
        if (!filter.StartsWith(commands, StringComparison.Ordinal) || filter.Length == commands.Length)
        {
            return false;
        }

        var rest = filter.AsSpan(commands.Length);
        return rest is "+" or "#" || rest.IndexOfAny('+', '#', '/') < 0;
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
