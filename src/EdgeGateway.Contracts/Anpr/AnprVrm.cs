namespace EdgeGateway.Contracts.Anpr;

/// <summary>The one VRM normalisation gateway, FleetControl and the tools share.</summary>
public static class AnprVrm
{
    /// <summary>Longest normalised VRM (UK plates have at most 7 characters; foreign ones rarely exceed 10).</summary>
    public const int MaxLength = 10;

    /// <summary>
    /// Upper case (ASCII), spaces, tabs and hyphens removed; null when the result is empty, longer than
    /// <see cref="MaxLength"/>, or holds anything but letters A-Z and digits.
    /// </summary>
    public static string? Normalise(ReadOnlySpan<char> raw)
    {
        Span<char> buffer = stackalloc char[MaxLength];
        var length = 0;
        foreach (var c in raw)
        {
            if (c is ' ' or '-' or '\t')
            {
                continue;
            }

            var upper = c is >= 'a' and <= 'z' ? (char)(c - 32) : c;
            if (upper is not ((>= '0' and <= '9') or (>= 'A' and <= 'Z')) || length == MaxLength)
            {
                return null;
            }

            buffer[length++] = upper;
        }

        return length == 0 ? null : new string(buffer[..length]);
    }
}
