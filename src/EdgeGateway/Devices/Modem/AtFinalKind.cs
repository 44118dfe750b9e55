namespace EdgeGateway.Devices.Modem;

/// <summary>How a command ended.</summary>
internal enum AtFinalKind
{
    /// <summary><c>OK</c>.</summary>
    Ok,

    /// <summary><c>ERROR</c>.</summary>
    Error,

    /// <summary><c>+CME ERROR: n</c> (mobile equipment error, 3GPP TS 27.007 clause 9.2; PEI uses it too).</summary>
    CmeError,

    /// <summary><c>+CMS ERROR: n</c> (message service error, 3GPP TS 27.005 clause 3.2.5).</summary>
    CmsError,

    /// <summary><c>NO CARRIER</c>, <c>BUSY</c>, <c>NO ANSWER</c>, <c>NO DIALTONE</c>: call outcomes (V.250).</summary>
    CallOutcome,

    /// <summary><c>CONNECT</c>: the line switched to data mode.</summary>
    Connect,

    /// <summary>No final result code within the command's timeout.</summary>
    Timeout,

    /// <summary>The connection closed before the final result code.</summary>
    Closed,
}
