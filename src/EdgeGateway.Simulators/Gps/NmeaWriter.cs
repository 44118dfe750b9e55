using System.Globalization;
using System.Text;

namespace EdgeGateway.Simulators.Gps;

/// <summary>
/// Writes NMEA 0183 sentences for a <see cref="GpsFix"/>: <c>$</c>, fields, <c>*</c>, two upper-case hex
/// checksum digits (XOR of the bytes between <c>$</c> and <c>*</c>), CRLF. Positions are ddmm.mmmm /
/// dddmm.mmmm, times hhmmss.ss, always with the invariant culture. Pure: no clock, no I/O.
/// </summary>
internal static class NmeaWriter
{
    private const double KnotsPerMetrePerSecond = 3600.0 / 1852.0;
    private const double KilometresPerHourPerMetrePerSecond = 3.6;
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    /// <summary>XOR of the characters of a sentence body (what lies between <c>$</c> and <c>*</c>).</summary>
    public static byte Checksum(ReadOnlySpan<char> body)
    {
        byte sum = 0;
        foreach (var c in body)
        {
            sum ^= (byte)c;
        }

        return sum;
    }

    /// <summary>Frames a body as a full sentence: <c>$body*HH\r\n</c>.</summary>
    public static string Sentence(string body) =>
        string.Create(Invariant, $"${body}*{Checksum(body):X2}\r\n");

    /// <summary>All sentences of one epoch, in u-blox order: RMC, VTG, GGA, GSA, GSV….</summary>
    public static IReadOnlyList<string> Epoch(GpsFix fix, NmeaTalker talker = NmeaTalker.GP)
    {
        var sentences = new List<string> { Rmc(fix, talker), Vtg(fix, talker), Gga(fix, talker), Gsa(fix, talker) };
        sentences.AddRange(Gsv(fix));
        return sentences;
    }

    /// <summary>
    /// GGA: time, position, quality, satellites used, HDOP, altitude, geoid separation. Without a fix
    /// (quality 0) the position and altitude fields are empty, as real receivers send them.
    /// </summary>
    public static string Gga(GpsFix fix, NmeaTalker talker = NmeaTalker.GP)
    {
        var b = new StringBuilder(80);
        b.Append(talker).Append("GGA,").Append(Time(fix.UtcTime)).Append(',');
        AppendPosition(b, fix);
        b.Append(',').Append(fix.Quality.ToString(Invariant))
            .Append(',').Append(fix.SatellitesUsed.Count.ToString("00", Invariant))
            .Append(',').Append(fix.Hdop.ToString("0.00", Invariant));
        if (fix.IsValid)
        {
            b.Append(',').Append(fix.AltitudeMetres.ToString("0.0", Invariant)).Append(",M")
                .Append(',').Append(fix.GeoidSeparationMetres.ToString("0.0", Invariant)).Append(",M");
        }
        else
        {
            b.Append(",,,,");
        }

        b.Append(",,");
        return Sentence(b.ToString());
    }

    /// <summary>RMC: time, status, position, speed (knots), course, date, no magnetic variation, mode (empty fields without a fix).</summary>
    public static string Rmc(GpsFix fix, NmeaTalker talker = NmeaTalker.GP)
    {
        var b = new StringBuilder(80);
        b.Append(talker).Append("RMC,").Append(Time(fix.UtcTime)).Append(',').Append(fix.IsValid ? 'A' : 'V').Append(',');
        AppendPosition(b, fix);
        b.Append(',').Append(Knots(fix))
            .Append(',').Append(Course(fix))
            .Append(',').Append(fix.UtcTime.UtcDateTime.ToString("ddMMyy", Invariant))
            .Append(",,,").Append(fix.IsValid ? 'A' : 'N');
        return Sentence(b.ToString());
    }

    /// <summary>VTG: course true, (no magnetic), speed in knots and km/h, mode (empty fields without a fix).</summary>
    public static string Vtg(GpsFix fix, NmeaTalker talker = NmeaTalker.GP)
    {
        var kilometresPerHour = fix.IsValid ? (fix.SpeedMetresPerSecond * KilometresPerHourPerMetrePerSecond).ToString("0.000", Invariant) : "";
        var body = string.Create(
            Invariant,
            $"{talker}VTG,{Course(fix)},T,,M,{Knots(fix)},N,{kilometresPerHour},K,{(fix.IsValid ? 'A' : 'N')}");
        return Sentence(body);
    }

    /// <summary>GSA: automatic mode, 3D fix, twelve PRN fields, PDOP, HDOP, VDOP.</summary>
    public static string Gsa(GpsFix fix, NmeaTalker talker = NmeaTalker.GP)
    {
        var b = new StringBuilder(80);
        b.Append(talker).Append("GSA,A,").Append(fix.IsValid ? '3' : '1');
        for (var i = 0; i < 12; i++)
        {
            b.Append(',');
            if (i < fix.SatellitesUsed.Count)
            {
                b.Append(fix.SatellitesUsed[i].ToString("00", Invariant));
            }
        }

        b.Append(',').Append(fix.Pdop.ToString("0.00", Invariant))
            .Append(',').Append(fix.Hdop.ToString("0.00", Invariant))
            .Append(',').Append(fix.Vdop.ToString("0.00", Invariant));
        return Sentence(b.ToString());
    }

    /// <summary>GSV: satellites in view, four per sentence; always $GP (they are GPS satellites).</summary>
    public static IReadOnlyList<string> Gsv(GpsFix fix)
    {
        var sats = fix.SatellitesInView;
        var total = Math.Max(1, (sats.Count + 3) / 4);
        var result = new List<string>(total);
        for (var message = 0; message < total; message++)
        {
            var b = new StringBuilder(80);
            b.Append("GPGSV,").Append(total.ToString(Invariant)).Append(',').Append((message + 1).ToString(Invariant))
                .Append(',').Append(sats.Count.ToString("00", Invariant));
            for (var i = message * 4; i < Math.Min(sats.Count, (message + 1) * 4); i++)
            {
                var s = sats[i];
                b.Append(',').Append(s.Prn.ToString("00", Invariant))
                    .Append(',').Append(s.ElevationDegrees.ToString("00", Invariant))
                    .Append(',').Append(s.AzimuthDegrees.ToString("000", Invariant))
                    .Append(',');
                if (s.SnrDbHz > 0)
                {
                    b.Append(s.SnrDbHz.ToString("00", Invariant));
                }
            }

            result.Add(Sentence(b.ToString()));
        }

        return result;
    }

    /// <summary>Latitude as ddmm.mmmm plus hemisphere.</summary>
    public static string Latitude(double degrees) => DegreesMinutes(degrees, 2) + (degrees < 0 ? ",S" : ",N");

    /// <summary>Longitude as dddmm.mmmm plus hemisphere.</summary>
    public static string Longitude(double degrees) => DegreesMinutes(degrees, 3) + (degrees < 0 ? ",W" : ",E");

    /// <summary>UTC time of day as hhmmss.ss.</summary>
    public static string Time(DateTimeOffset utc)
    {
        var t = utc.UtcDateTime;
        var centiseconds = t.Millisecond / 10;
        return string.Create(Invariant, $"{t.Hour:00}{t.Minute:00}{t.Second:00}.{centiseconds:00}");
    }

    private static void AppendPosition(StringBuilder b, GpsFix fix)
    {
        if (fix.IsValid)
        {
            b.Append(Latitude(fix.Latitude)).Append(',').Append(Longitude(fix.Longitude));
        }
        else
        {
            b.Append(",,,");
        }
    }

    private static string DegreesMinutes(double degrees, int degreeDigits)
    {
        // Work in 1/10000 minutes so that rounding can carry into the degrees (59.99996' -> next degree).
        var tenThousandthsOfMinute = (long)Math.Round(Math.Abs(degrees) * 60 * 10_000, MidpointRounding.AwayFromZero);
        var whole = tenThousandthsOfMinute / (60 * 10_000);
        var minutes = tenThousandthsOfMinute % (60 * 10_000) / 10_000.0;
        var format = degreeDigits == 2 ? "00" : "000";
        return whole.ToString(format, Invariant) + minutes.ToString("00.0000", Invariant);
    }

    private static string Knots(GpsFix fix) =>
        fix.IsValid ? (fix.SpeedMetresPerSecond * KnotsPerMetrePerSecond).ToString("0.000", Invariant) : "";

    private static string Course(GpsFix fix)
    {
        if (!fix.IsValid)
        {
            return "";
        }

        var course = Math.Round(((fix.CourseDegrees % 360) + 360) % 360, 2);
        return (course >= 360 ? course - 360 : course).ToString("0.00", Invariant);
    }
}
