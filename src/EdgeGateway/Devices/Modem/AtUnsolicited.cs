namespace EdgeGateway.Devices.Modem;

/// <summary>An unsolicited result code.</summary>
/// <param name="Name">Its name, upper case without prefix (<c>CEREG</c>, <c>CTSDSR</c>); <c>RING</c> for a bare RING; null for unnamed text.</param>
/// <param name="Line">The line itself.</param>
/// <param name="Data">The data line that follows some URCs (<c>+CTSDSR</c> SDS user data, <c>+CMT</c> PDU); null otherwise.</param>
internal sealed record AtUnsolicited(string? Name, string Line, string? Data)
{
    /// <summary>The parameters after <c>NAME:</c>.</summary>
    public ReadOnlySpan<char> Parameters
    {
        get
        {
            var colon = Line.IndexOf(':', StringComparison.Ordinal);
            return colon < 0 ? [] : Line.AsSpan(colon + 1).TrimStart(' ');
        }
    }
}
