using System.Globalization;
using System.Text.Json;
using EdgeGateway.Devices.Anpr.Hotlists;

namespace EdgeGateway.Devices.Anpr;

/// <summary>
/// Checks a camera's JSON metadata part. Never throws: a refusal is a reason code (the counter's key and the
/// 400 body's <c>error</c>) plus a sentence for the camera's engineer.
/// </summary>
/// <remarks>
/// Fields: <c>vrm</c> (letters, digits, spaces, hyphens; at most 10 characters once normalised),
/// <c>confidence</c> (0..1, or 0..100 as a percentage), <c>country</c> (optional), <c>cameraId</c>,
/// <c>timestamp</c> (ISO 8601 with an offset), <c>lane</c> or <c>direction</c> (optional).
/// </remarks>
internal static class CameraReadParser
{
    public static bool TryParse(ReadOnlySpan<byte> json, out CameraRead? read, out string reason, out string detail)
    {
        read = null;
        reason = string.Empty;
        detail = string.Empty;
        JsonDocument document;
        try
        {
            var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 8 });
            document = JsonDocument.ParseValue(ref reader);
        }
        catch (JsonException e)
        {
            return Fail("bad_json", $"metadata is not JSON: {e.Message}", out reason, out detail);
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return Fail("bad_json", "metadata must be a JSON object", out reason, out detail);
            }

            var vrm = Text(root, "vrm");
            if (string.IsNullOrWhiteSpace(vrm))
            {
                return Fail("missing_vrm", "metadata has no 'vrm'", out reason, out detail);
            }

            var normalised = VrmKey.Normalise(vrm);
            if (normalised is null)
            {
                return Fail("bad_vrm", $"'vrm' {Quote(vrm)} is not a plate (letters, digits, spaces; at most {VrmKey.MaxLength} characters)", out reason, out detail);
            }

            if (!root.TryGetProperty("confidence", out var c) || c.ValueKind != JsonValueKind.Number || !c.TryGetDouble(out var confidence))
            {
                return Fail("missing_confidence", "metadata has no numeric 'confidence'", out reason, out detail);
            }

            if (confidence is > 1 and <= 100)
            {
                confidence /= 100; // some units report a percentage
            }

            if (confidence is < 0 or > 1 || double.IsNaN(confidence))
            {
                return Fail("bad_confidence", $"'confidence' {confidence.ToString(CultureInfo.InvariantCulture)} is outside 0..1", out reason, out detail);
            }

            var camera = Text(root, "cameraId");
            if (string.IsNullOrWhiteSpace(camera) || camera.Length > 64 || !camera.All(ch => char.IsAsciiLetterOrDigit(ch) || ch is '-' or '_' or '.'))
            {
                return Fail("bad_camera_id", "'cameraId' is missing or not 1-64 letters, digits, '-', '_' or '.'", out reason, out detail);
            }

            var stamp = Text(root, "timestamp");
            if (stamp is null || !DateTimeOffset.TryParse(stamp, CultureInfo.InvariantCulture, DateTimeStyles.None, out var time) || !HasOffset(stamp))
            {
                return Fail("bad_timestamp", $"'timestamp' {Quote(stamp)} is not an ISO 8601 time with an offset (e.g. 2026-12-01T06:00:00.123Z)", out reason, out detail);
            }

            var country = Text(root, "country") ?? string.Empty;
            var lane = Text(root, "lane") ?? Text(root, "direction") ?? string.Empty;
            if (country.Length > 8 || lane.Length > 32)
            {
                return Fail("bad_field", "'country' (at most 8) or 'lane'/'direction' (at most 32 characters) is too long", out reason, out detail);
            }

            read = new CameraRead(vrm.Trim(), normalised, (float)confidence, country, camera, time.ToUniversalTime(), lane);
            return true;
        }
    }

    private static bool HasOffset(string stamp) =>
        stamp.EndsWith('Z') || stamp.EndsWith('z') || (stamp.Length > 6 && stamp[^6] is '+' or '-' && stamp[^3] == ':');

    private static string? Text(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static string Quote(string? value) => value is null ? "(none)" : $"'{(value.Length > 40 ? value[..40] + "..." : value)}'";

    private static bool Fail(string code, string sentence, out string reason, out string detail)
    {
        reason = code;
        detail = sentence;
        return false;
    }
}
