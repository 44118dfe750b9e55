namespace EdgeGateway.Devices.Modem;

/// <summary>
/// <c>+CSQ: &lt;rssi&gt;,&lt;ber&gt;</c> (3GPP TS 27.007 clause 8.5; ETSI EN 300 392-5 uses the same form):
/// rssi 0-31 is −113 to −51 dBm in 2 dB steps, 99 is "not known". Used by TETRA and LTE alike.
/// </summary>
/// <param name="Rssi">The coded value 0-31, or null for 99/unknown.</param>
/// <param name="BitErrorRate">0-7, or null for 99/unknown or absent.</param>
internal sealed record SignalQuality(int? Rssi, int? BitErrorRate)
{
    /// <summary>The RSSI in dBm, or null when unknown.</summary>
    public int? Dbm => Rssi is { } r ? -113 + (2 * r) : null;

    /// <summary>Parses the parameters after <c>+CSQ:</c>; false when the first field is not a number.</summary>
    public static bool TryParse(ReadOnlySpan<byte> parameters, out SignalQuality? quality)
    {
        quality = null;
        var fields = new AtFieldReader(parameters);
        if (!fields.TryNext(out var first) || !first.TryInt(out var rssi) || rssi < 0)
        {
            return false;
        }

        int? ber = fields.TryNext(out var second) && second.TryInt(out var b) && b is >= 0 and <= 7 ? b : null;
        quality = new SignalQuality(rssi is >= 0 and <= 31 ? rssi : null, ber);
        return true;
    }
}
