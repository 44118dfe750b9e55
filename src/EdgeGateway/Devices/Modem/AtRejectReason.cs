namespace EdgeGateway.Devices.Modem;

/// <summary>Why the AT reader rejected a line (health counter <c>*.at.rejected.{key}</c>).</summary>
internal enum AtRejectReason
{
    /// <summary>Not rejected.</summary>
    None = 0,

    /// <summary>The line holds a control byte (NUL, BEL, ESC...) that no AT reply carries: line noise or a baud-rate mismatch.</summary>
    ControlCharacter,

    /// <summary>No line end within <see cref="AtReader.MaxLineLength"/> bytes; the rest of the line is skipped.</summary>
    Overlong,
}
