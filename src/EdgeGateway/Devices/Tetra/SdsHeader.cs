using EdgeGateway.Contracts.Tetra;
using EdgeGateway.Devices.Modem;

namespace EdgeGateway.Devices.Tetra;

/// <summary>
/// The header of a received SDS, <c>+CTSDSR: &lt;AI service&gt;,[&lt;calling party identity&gt;],[&lt;calling
/// party identity type&gt;],&lt;called party identity&gt;,&lt;called party identity type&gt;,[&lt;end to end
/// encryption&gt;],&lt;length&gt;</c> (ETSI EN 300 392-5 clause 6.15.x). Tolerant of vendors: the AI service is
/// the first field, the length (in bits) the last, the calling identity the second and the called the fourth;
/// the encryption field may be there or not, identities may be quoted.
/// </summary>
/// <param name="AiService">The AI service: 12 = SDS type 4, 13 = status; others are passed through.</param>
/// <param name="Calling">The sender's identity (ISSI or ITSI digits), empty if withheld.</param>
/// <param name="Called">The addressee's identity.</param>
/// <param name="LengthBits">Length of the user data in bits.</param>
internal sealed record SdsHeader(int AiService, string Calling, string Called, int LengthBits)
{
    /// <summary>AI service of SDS type 4.</summary>
    public const int SdsType4 = 12;

    /// <summary>AI service of a status (pre-coded, 16 bits).</summary>
    public const int Status = 13;

    /// <summary>Parses the parameters after <c>+CTSDSR:</c>; false if the service or the length is missing or not a number.</summary>
    public static bool TryParse(ReadOnlySpan<byte> parameters, out SdsHeader? header)
    {
        header = null;
        var fields = new AtFieldReader(parameters);
        var values = new List<string>(7);
        var first = -1;
        while (fields.TryNext(out var field))
        {
            if (field.Malformed)
            {
                return false;
            }

            if (values.Count == 0 && !field.TryInt(out first))
            {
                return false;
            }

            if (values.Count == 8)
            {
                return false; // no header has this many fields
            }

            values.Add(System.Text.Encoding.ASCII.GetString(field.Value).Trim());
        }

        if (values.Count < 2 || !int.TryParse(values[^1], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var length)
            || length is < 0 or > SdsTl.MaxBits)
        {
            return false;
        }

        var calling = values.Count > 2 ? values[1] : string.Empty;
        var called = values.Count > 4 ? values[3] : string.Empty;
        header = new SdsHeader(first, calling, called, length);
        return true;
    }
}
