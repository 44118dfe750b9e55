using System.Text.Json;
using EdgeGateway.Contracts.V1;

namespace EdgeGateway.Devices.Gnss;

/// <summary>Writes a fix as a gpsd-style TPV object (one line, invariant formatting).</summary>
internal static class GnssFixJson
{
    public static void Write(Utf8JsonWriter writer, in GnssFix fix)
    {
        writer.WriteStartObject();
        writer.WriteString("class", "TPV");
        writer.WriteNumber("mode", ModeNumber(fix.Mode));
        if (fix.Time is { } time)
        {
            writer.WriteString("time", time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture));
        }

        if (fix.HasPosition)
        {
            writer.WriteNumber("lat", Math.Round(fix.Latitude!.Value, 9));
            writer.WriteNumber("lon", Math.Round(fix.Longitude!.Value, 9));
            if (fix.AltitudeMsl is { } alt)
            {
                writer.WriteNumber("alt", Math.Round(alt, 4));
            }

            if (fix.TrackDegrees is { } track)
            {
                writer.WriteNumber("track", Math.Round(track, 4));
            }

            if (fix.SpeedMps is { } speed)
            {
                writer.WriteNumber("speed", Math.Round(speed, 3));
            }
        }

        writer.WriteEndObject();
    }

    /// <summary>gpsd's numbering: 0 not seen, 1 no fix, 2 = 2D, 3 = 3D.</summary>
    public static int ModeNumber(FixMode mode) => mode switch
    {
        FixMode.NoFix => 1,
        FixMode._2D => 2,
        FixMode._3D => 3,
        _ => 0,
    };
}
