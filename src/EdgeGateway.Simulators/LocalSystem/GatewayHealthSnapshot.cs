using System.Globalization;
using System.Text.Json;

namespace EdgeGateway.Simulators.LocalSystem;

/// <summary>What a gateway's <c>health.json</c> says about its link and its outbox.</summary>
/// <param name="Link">Link state without the enum prefix, e.g. "CONNECTED".</param>
/// <param name="Accepted">Messages the outbox has accepted since it was created.</param>
/// <param name="Acknowledged">Messages FleetControl has acknowledged.</param>
/// <param name="Backlog">Messages still buffered, all classes.</param>
internal sealed record GatewayHealthSnapshot(string Link, long Accepted, long Acknowledged, long Backlog)
{
    /// <summary>Reads the file, or returns null if it is not there (yet) or unreadable.</summary>
    public static GatewayHealthSnapshot? TryRead(string path)
    {
        try
        {
            if (!File.Exists(path))
            {
                return null;
            }

            using var document = JsonDocument.Parse(File.ReadAllText(path));
            if (!document.RootElement.TryGetProperty("report", out var report))
            {
                return null;
            }

            var link = report.TryGetProperty("linkState", out var l) ? (l.GetString() ?? "?").Replace("LINK_STATE_", "", StringComparison.Ordinal) : "?";
            long backlog = 0;
            if (report.TryGetProperty("queues", out var queues))
            {
                foreach (var queue in queues.EnumerateArray())
                {
                    backlog += Long(queue, "depth");
                }
            }

            return new GatewayHealthSnapshot(link, Long(report, "acceptedTotal"), Long(report, "acknowledgedTotal"), backlog);
        }
        catch (Exception e) when (e is IOException or JsonException)
        {
            return null; // the file is replaced atomically; a vanished file is the only race
        }
    }

    /// <summary>Protobuf JSON writes 64-bit integers as strings; REST writes numbers. Accepts both.</summary>
    internal static long Long(JsonElement element, string property)
    {
        if (element.ValueKind != JsonValueKind.Object || !element.TryGetProperty(property, out var value))
        {
            return 0;
        }

        return value.ValueKind switch
        {
            JsonValueKind.Number => value.GetInt64(),
            JsonValueKind.String when long.TryParse(value.GetString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) => n,
            _ => 0,
        };
    }
}
