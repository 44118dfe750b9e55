namespace EdgeGateway.Devices.Modem;

/// <summary>What a line is, in the context of the exchange it arrived in.</summary>
internal enum AtLineKind
{
    /// <summary>A final result code ending the command in progress.</summary>
    Final,

    /// <summary>An information line of the command in progress (or the <c>&gt;</c> prompt).</summary>
    Info,

    /// <summary>An unsolicited result code (URC), or the data line that follows one.</summary>
    Unsolicited,

    /// <summary>The modem echoing the command back (echo on, <c>ATE1</c>).</summary>
    Echo,

    /// <summary>Rejected by the reader (control bytes, overlong).</summary>
    Invalid,
}
