namespace EdgeGateway.Contracts.Tetra;

/// <summary>
/// The line protocol between the (simulated) TETRA network and FleetControl's TETRA gateway, standing in
/// for a dispatcher's line-connected SDS gateway: one SDS per line, in both directions,
/// <c>SDS &lt;calling ISSI&gt; &lt;called ISSI&gt; &lt;user data hex, protocol identifier first&gt;</c>.
/// The network sends what terminals address to the gateway's ISSI; the gateway sends SDS (e.g. SDS-TL
/// reports) to terminals. Anything else on a line is ignored by the reader and counted by the caller.
/// </summary>
public static class SwmiLink
{
    /// <summary>Longest line accepted: 2,047 bits in hex plus the prefix and two identities.</summary>
    public const int MaxLineLength = 640;

    /// <summary>One line, without the line end.</summary>
    public static string Format(string calling, string called, ReadOnlySpan<byte> userData) =>
        $"SDS {calling} {called} {SdsTl.ToHex(userData)}";

    /// <summary>
    /// A pre-coded status (SDS type 1/status, 16 bits, EN 300 392-2 clause 14.8.34) a terminal sent:
    /// <c>STATUS &lt;calling&gt; &lt;called&gt; &lt;value, 4 hex digits&gt;</c>.
    /// </summary>
    public static string FormatStatus(string calling, string called, ushort status) =>
        $"STATUS {calling} {called} {status:X4}";

    /// <summary>Parses a <see cref="FormatStatus"/> line; false for anything else.</summary>
    public static bool TryParseStatus(string line, out string calling, out string called, out ushort status)
    {
        calling = called = string.Empty;
        status = 0;
        if (line.Length > MaxLineLength)
        {
            return false;
        }

        var parts = line.Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length != 4 || parts[0] != "STATUS" || !IsIdentity(parts[1]) || !IsIdentity(parts[2]) || parts[3].Length != 4
            || !ushort.TryParse(parts[3], System.Globalization.NumberStyles.AllowHexSpecifier, System.Globalization.CultureInfo.InvariantCulture, out status))
        {
            return false;
        }

        calling = parts[1];
        called = parts[2];
        return true;
    }

    /// <summary>Parses one line; false for anything that is not a well-formed SDS line.</summary>
    public static bool TryParse(string line, out string calling, out string called, out byte[] userData)
    {
        calling = called = string.Empty;
        userData = [];
        if (line.Length > MaxLineLength)
        {
            return false;
        }

        var parts = line.Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length != 4 || parts[0] != "SDS" || !IsIdentity(parts[1]) || !IsIdentity(parts[2]) || parts[3].Length % 2 != 0)
        {
            return false;
        }

        if (!SdsTl.TryFromHex(parts[3], -1, out userData) || userData.Length == 0)
        {
            return false;
        }

        calling = parts[1];
        called = parts[2];
        return true;
    }

    private static bool IsIdentity(string text) => text.Length is > 0 and <= 24 && text.All(char.IsAsciiDigit);
}
