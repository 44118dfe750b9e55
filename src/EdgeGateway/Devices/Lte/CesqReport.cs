using EdgeGateway.Devices.Modem;

namespace EdgeGateway.Devices.Lte;

/// <summary>
/// <c>+CESQ: &lt;rxlev&gt;,&lt;ber&gt;,&lt;rscp&gt;,&lt;ecno&gt;,&lt;rsrq&gt;,&lt;rsrp&gt;</c> (3GPP TS 27.007 clause 8.69):
/// RSRQ 0-34 is −19.5 dB + n/2, RSRP 0-97 is −140 dBm + n; 255 is "not known". Some modems append SINR or
/// more fields; they are ignored.
/// </summary>
internal static class CesqReport
{
    /// <summary>Reads RSRP and RSRQ; false when the line has fewer than six fields or they are not numbers.</summary>
    public static bool TryParse(ReadOnlySpan<byte> parameters, out int? rsrpDbm, out double? rsrqDb)
    {
        rsrpDbm = null;
        rsrqDb = null;
        var fields = new AtFieldReader(parameters);
        Span<int> values = stackalloc int[6];
        for (var i = 0; i < values.Length; i++)
        {
            if (!fields.TryNext(out var field) || !field.TryInt(out values[i]))
            {
                return false;
            }
        }

        rsrqDb = values[4] is >= 0 and <= 34 ? -19.5 + (values[4] / 2.0) : null;
        rsrpDbm = values[5] is >= 0 and <= 97 ? -140 + values[5] : null;
        return true;
    }
}
