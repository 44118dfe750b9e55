using EdgeGateway.Contracts.V1;

namespace FleetControl.Ingest;

/// <summary>Checks one envelope before it is stored; a reason code for every refusal.</summary>
internal static class EnvelopeValidator
{
    public const int MaxMessageIdLength = 128;

    /// <summary>Returns null when <paramref name="envelope"/> may be stored, else why not.</summary>
    public static string? Validate(Envelope envelope, string topicDeviceId)
    {
        if (string.IsNullOrEmpty(envelope.MessageId))
        {
            return "missing_message_id";
        }

        if (envelope.MessageId.Length > MaxMessageIdLength)
        {
            return "message_id_too_long";
        }

        if (envelope.DedupeKey.Length > MaxMessageIdLength)
        {
            return "dedupe_key_too_long";
        }

        if (!string.Equals(envelope.DeviceId, topicDeviceId, StringComparison.Ordinal))
        {
            return "device_id_mismatch";
        }

        if (envelope.BodyCase == Envelope.BodyOneofCase.None)
        {
            return "missing_body";
        }

        return null;
    }
}
