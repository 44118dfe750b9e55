using System.Text.Json;
using System.Text.Json.Nodes;
using FleetControl.Ingest;

namespace FleetControl.Identity;

/// <summary>
/// Closes a revoked device's open connection on an external mosquitto 2.x. A reloaded revocation list only
/// refuses new handshakes; mosquitto keeps a session that is already open. Its dynamic security plugin can
/// end one: <c>disableClient</c> kicks every connection whose user name is the device's (with
/// <c>use_identity_as_username</c> that is the certificate's CN, the device id). The command goes on FleetControl's
/// own ingest connection to <c>$CONTROL/dynamic-security/v1</c> (the broker's ACL grants that topic to the ingest
/// identity, see deploy/mosquitto) and the plugin's answer is awaited. The client is created first (an error when
/// it exists already, which is fine): the plugin kicks only a user name it knows. With certificate authentication a
/// disabled plugin client refuses nothing by itself; the revocation list refuses the reconnect.
/// </summary>
internal sealed class DynamicSecurityDisconnector(MqttIngestClient ingest)
{
    /// <summary>Where the plugin takes commands.</summary>
    public const string CommandTopic = "$CONTROL/dynamic-security/v1";

    /// <summary>Where the plugin answers.</summary>
    public const string ResponseTopic = "$CONTROL/dynamic-security/v1/response";

    /// <summary>Sends createClient + disableClient for <paramref name="deviceId"/>; null when the plugin confirmed, otherwise why not.</summary>
    public async Task<string?> DisconnectAsync(string deviceId, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var correlation = Guid.NewGuid().ToString("N");
        var answer = new TaskCompletionSource<string?>(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnControl(string topic, byte[] payload)
        {
            if (topic == ResponseTopic && TryReadAnswer(payload, correlation, out var error))
            {
                answer.TrySetResult(error);
            }
        }

        var command = new JsonObject
        {
            ["commands"] = new JsonArray(
                new JsonObject { ["command"] = "createClient", ["username"] = deviceId, ["correlationData"] = correlation + "-create" },
                new JsonObject { ["command"] = "disableClient", ["username"] = deviceId, ["correlationData"] = correlation }),
        };
        ingest.ControlMessageReceived += OnControl;
        try
        {
            if (await ingest.PublishControlAsync(CommandTopic, ResponseTopic, JsonSerializer.SerializeToUtf8Bytes(command), cancellationToken).ConfigureAwait(false) is { } refused)
            {
                return refused;
            }

            try
            {
                return await answer.Task.WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                return $"no answer from the dynamic security plugin within {timeout.TotalSeconds:0} s (is it loaded? plugin mosquitto_dynamic_security.so)";
            }
        }
        finally
        {
            ingest.ControlMessageReceived -= OnControl;
        }
    }

    /// <summary>Whether <paramref name="payload"/> holds the disableClient answer with our correlation data; its error, null for success.</summary>
    internal static bool TryReadAnswer(byte[] payload, string correlation, out string? error)
    {
        error = null;
        try
        {
            if (JsonNode.Parse(payload)?["responses"] is not JsonArray responses)
            {
                return false;
            }

            foreach (var response in responses)
            {
                if (response?["correlationData"]?.GetValue<string>() == correlation)
                {
                    error = response["error"]?.GetValue<string>() is { } failed ? "disableClient: " + failed : null;
                    return true;
                }
            }
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or FormatException)
        {
            // Not an answer of the plugin's shape: not ours.
        }

        return false;
    }
}
