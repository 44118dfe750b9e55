namespace EdgeGateway.Devices.Gnss.Nmea;

/// <summary>Why the framer dropped bytes or a line; each has its own counter.</summary>
internal enum NmeaRejectReason
{
    /// <summary>Bytes before a '$' that were not line endings (noise, partial sentence at start-up).</summary>
    Garbage,

    /// <summary>No line end within <see cref="NmeaReader.MaxSentenceLength"/> bytes of a '$'.</summary>
    Overlong,

    /// <summary>The XOR checksum did not match.</summary>
    BadChecksum,

    /// <summary>No '*hh' checksum (NMEA 0183 makes it mandatory for these sentences).</summary>
    MissingChecksum,

    /// <summary>Broken framing: bad checksum digits, a '$' inside a line, a bad address field.</summary>
    Malformed,

    /// <summary>A well-formed proprietary sentence ($P...); skipped, not an error.</summary>
    Proprietary,

    /// <summary>A well-formed sentence of a type this gateway does not decode; skipped, not an error.</summary>
    Unsupported,
}
