using System.Globalization;

namespace EdgeGateway.Contracts.Recording;

/// <summary>
/// The text format of a raw-traffic recording, written by the gateway's serial/TCP transport and replayed
/// by the simulators: one chunk per line, <c>2026-12-01T00:02:35.1234567Z rx 4F4B0D0A</c> (UTC time,
/// <c>rx</c> = device to host or <c>tx</c> = host to device, the bytes in hex). Lines starting with
/// <c>#</c> are comments. Text so a field engineer can read and trim it; hex so nothing is lost.
/// </summary>
public static class TrafficRecordFormat
{
    /// <summary>The first line of a recording.</summary>
    public const string Header = "# EdgeGateway traffic recording v1: <utc> <rx|tx> <hex>";

    /// <summary>One chunk as a line (without the line end).</summary>
    public static string FormatLine(DateTimeOffset at, TrafficDirection direction, ReadOnlySpan<byte> bytes) =>
        string.Create(CultureInfo.InvariantCulture, $"{at.UtcDateTime:yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'} {(direction == TrafficDirection.Received ? "rx" : "tx")} {Convert.ToHexString(bytes)}");

    /// <summary>Parses one line; false for comments, blank lines and anything malformed (never throws).</summary>
    public static bool TryParseLine(string line, out TrafficChunk? chunk)
    {
        chunk = null;
        if (string.IsNullOrWhiteSpace(line) || line.StartsWith('#'))
        {
            return false;
        }

        var parts = line.Split(' ', 3, StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length < 2
            || !DateTimeOffset.TryParse(parts[0], CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var at))
        {
            return false;
        }

        TrafficDirection direction;
        switch (parts[1])
        {
            case "rx":
                direction = TrafficDirection.Received;
                break;
            case "tx":
                direction = TrafficDirection.Sent;
                break;
            default:
                return false;
        }

        var hex = parts.Length == 3 ? parts[2].Trim() : string.Empty;
        if (hex.Length % 2 != 0)
        {
            return false;
        }

        try
        {
            chunk = new TrafficChunk(at, direction, Convert.FromHexString(hex));
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }
}
