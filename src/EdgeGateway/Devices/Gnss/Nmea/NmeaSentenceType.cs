namespace EdgeGateway.Devices.Gnss.Nmea;

/// <summary>The NMEA 0183 sentence formatters this gateway decodes; anything else is skipped and counted.</summary>
internal enum NmeaSentenceType
{
    /// <summary>Global positioning fix data.</summary>
    Gga,

    /// <summary>Recommended minimum specific GNSS data.</summary>
    Rmc,

    /// <summary>Geographic position, latitude/longitude.</summary>
    Gll,

    /// <summary>Course over ground and ground speed.</summary>
    Vtg,

    /// <summary>DOP and active satellites.</summary>
    Gsa,

    /// <summary>Satellites in view.</summary>
    Gsv,

    /// <summary>Time and date.</summary>
    Zda,

    /// <summary>GNSS fix data (multi-constellation GGA).</summary>
    Gns,
}
