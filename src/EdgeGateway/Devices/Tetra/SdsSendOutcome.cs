namespace EdgeGateway.Devices.Tetra;

/// <summary>How one SDS send ended.</summary>
internal enum SdsSendOutcome
{
    /// <summary>The addressee reported receipt or consumption (SDS-TL report, success status).</summary>
    Delivered,

    /// <summary>The terminal accepted it (<c>+CMGS</c> then <c>OK</c>) and no report was asked for.</summary>
    Sent,

    /// <summary>Sent, but no SDS-TL report came within <see cref="TetraOptions.ReportTimeout"/>.</summary>
    NoReport,

    /// <summary>The report said it was not delivered, or the terminal refused it (<c>ERROR</c>, <c>+CME ERROR</c>).</summary>
    Failed,

    /// <summary>More than 2,047 bits; not sent.</summary>
    TooLarge,

    /// <summary>No terminal connected, or the queue is full; not sent.</summary>
    NotConnected,
}
