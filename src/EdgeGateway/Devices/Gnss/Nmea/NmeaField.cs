using System.Buffers.Text;

namespace EdgeGateway.Devices.Gnss.Nmea;

/// <summary>Allocation-free conversions of NMEA field bytes.</summary>
internal static class NmeaField
{
    /// <summary>Knots to metres per second (1852 m / 3600 s).</summary>
    public const double KnotsToMetresPerSecond = 1852.0 / 3600.0;

    public static bool TryParseDouble(ReadOnlySpan<byte> field, out double value)
    {
        if (field.IsEmpty || !Utf8Parser.TryParse(field, out value, out var consumed, 'G') || consumed != field.Length
            || !double.IsFinite(value))
        {
            value = 0;
            return false;
        }

        return true;
    }

    public static bool TryParseInt(ReadOnlySpan<byte> field, out int value)
    {
        if (field.IsEmpty || !Utf8Parser.TryParse(field, out value, out var consumed) || consumed != field.Length)
        {
            value = 0;
            return false;
        }

        return true;
    }

    /// <summary>Like C's atoi as gpsd uses it: leading digits, 0 when there are none.</summary>
    public static int LeadingInt(ReadOnlySpan<byte> field)
    {
        var value = 0;
        foreach (var b in field)
        {
            if (b is < (byte)'0' or > (byte)'9' || value > 100_000_000)
            {
                break;
            }

            value = (value * 10) + (b - '0');
        }

        return value;
    }

    /// <summary>
    /// <c>DDDMM.mmmm</c> plus hemisphere to signed degrees. Requires a decimal point (as gpsd does) and a
    /// hemisphere letter; minutes must be below 60.
    /// </summary>
    public static bool TryParseCoordinate(ReadOnlySpan<byte> field, ReadOnlySpan<byte> hemisphere, bool latitude, out double degrees)
    {
        degrees = 0;
        if (hemisphere.Length != 1 || field.IndexOf((byte)'.') < 0 || !TryParseDouble(field, out var raw) || raw < 0)
        {
            return false;
        }

        var whole = Math.Floor(raw / 100.0);
        var minutes = raw - (whole * 100.0);
        if (minutes >= 60.0)
        {
            return false;
        }

        degrees = whole + (minutes / 60.0);
        var limit = latitude ? 90.0 : 180.0;
        if (degrees > limit)
        {
            return false;
        }

        switch (hemisphere[0])
        {
            case (byte)'N' when latitude:
            case (byte)'E' when !latitude:
                return true;
            case (byte)'S' when latitude:
            case (byte)'W' when !latitude:
                degrees = -degrees;
                return true;
            default:
                return false;
        }
    }

    /// <summary><c>hhmmss[.sss]</c> to a time of day.</summary>
    public static bool TryParseTimeOfDay(ReadOnlySpan<byte> field, out TimeSpan timeOfDay)
    {
        timeOfDay = default;
        if (field.Length < 6 || !AllDigits(field[..6]))
        {
            return false;
        }

        var hours = TwoDigits(field, 0);
        var minutes = TwoDigits(field, 2);
        var seconds = TwoDigits(field, 4);
        if (hours > 23 || minutes > 59 || seconds > 60)
        {
            return false;
        }

        long fractionTicks = 0;
        if (field.Length > 6)
        {
            if (field[6] != (byte)'.')
            {
                return false;
            }

            long scale = TimeSpan.TicksPerSecond;
            for (var i = 7; i < field.Length; i++)
            {
                var b = field[i];
                if (b is < (byte)'0' or > (byte)'9')
                {
                    return false;
                }

                scale /= 10;
                fractionTicks += (b - '0') * scale;
            }
        }

        // A leap second (60) is folded onto the next second; NMEA receivers rarely emit it.
        timeOfDay = new TimeSpan(((((hours * 60L) + minutes) * 60L) + seconds) * TimeSpan.TicksPerSecond + fractionTicks);
        return true;
    }

    /// <summary>RMC's <c>ddmmyy</c>; years below 80 are 20yy, as GPS did not exist before 1980.</summary>
    public static bool TryParseDdMmYy(ReadOnlySpan<byte> field, out DateOnly date)
    {
        date = default;
        if (field.Length != 6 || !AllDigits(field))
        {
            return false;
        }

        var day = TwoDigits(field, 0);
        var month = TwoDigits(field, 2);
        var year = TwoDigits(field, 4);
        year += year < 80 ? 2000 : 1900;
        return TryMakeDate(year, month, day, out date);
    }

    public static bool TryMakeDate(int year, int month, int day, out DateOnly date)
    {
        date = default;
        if (year is < 1980 or > 2200 || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month))
        {
            return false;
        }

        date = new DateOnly(year, month, day);
        return true;
    }

    private static bool AllDigits(ReadOnlySpan<byte> span)
    {
        foreach (var b in span)
        {
            if (b is < (byte)'0' or > (byte)'9')
            {
                return false;
            }
        }

        return true;
    }

    private static int TwoDigits(ReadOnlySpan<byte> span, int at) => ((span[at] - '0') * 10) + (span[at + 1] - '0');
}
