namespace EdgeGateway.Devices.Anpr.Hotlists;

/// <summary>
/// A VRM packed into one <see cref="ulong"/>: normalised (ASCII letters upper-cased, spaces and hyphens
/// removed), then 6 bits per character (digits 1-10, letters 11-36), at most <see cref="MaxLength"/>
/// characters. Packing needs no allocation, so a lookup costs a hash probe and no garbage, and a million
/// keys take 8 MB instead of a million strings.
/// </summary>
internal static class VrmKey
{
    /// <summary>Longest VRM that packs (UK plates have at most 7 characters; foreign ones rarely exceed 10).</summary>
    public const int MaxLength = Contracts.Anpr.AnprVrm.MaxLength;

    /// <summary>
    /// Packs <paramref name="raw"/>. With <paramref name="foldOcr"/> every character of an OCR confusion pair
    /// is replaced by its partner digit first (O→0, I→1, B→8, S→5, Z→2, G→6), so two VRMs that differ only
    /// in such confusions get the same key. False for an empty VRM, one longer than <see cref="MaxLength"/>, or
    /// one with a character that is not a letter, digit, space or hyphen.
    /// </summary>
    public static bool TryPack(ReadOnlySpan<char> raw, bool foldOcr, out ulong key)
    {
        key = 0;
        var length = 0;
        foreach (var c in raw)
        {
            int code;
            if (c is ' ' or '-' or '\t')
            {
                continue;
            }

            var upper = c is >= 'a' and <= 'z' ? (char)(c - 32) : c;
            if (foldOcr)
            {
                upper = Fold(upper);
            }

            if (upper is >= '0' and <= '9')
            {
                code = upper - '0' + 1;
            }
            else if (upper is >= 'A' and <= 'Z')
            {
                code = upper - 'A' + 11;
            }
            else
            {
                return false;
            }

            if (++length > MaxLength)
            {
                return false;
            }

            key = (key << 6) | (uint)code;
        }

        return length > 0;
    }

    /// <summary>The OCR confusion a character belongs to, as its digit (others unchanged).</summary>
    public static char Fold(char upper) => upper switch
    {
        'O' => '0',
        'I' => '1',
        'B' => '8',
        'S' => '5',
        'Z' => '2',
        'G' => '6',
        _ => upper,
    };

    /// <summary>The normalised VRM a key stands for.</summary>
    public static string Unpack(ulong key)
    {
        Span<char> buffer = stackalloc char[MaxLength];
        var at = MaxLength;
        while (key != 0)
        {
            var code = (int)(key & 63);
            buffer[--at] = code <= 10 ? (char)('0' + code - 1) : (char)('A' + code - 11);
            key >>= 6;
        }

        return new string(buffer[at..]);
    }

    /// <summary>Normalises a VRM for display and storage (upper case, no spaces or hyphens); null when it does not pack.</summary>
    public static string? Normalise(ReadOnlySpan<char> raw) => Contracts.Anpr.AnprVrm.Normalise(raw);

    /// <summary>A well-mixed hash of a key (the low bits of a packed VRM alone cluster badly).</summary>
    public static int Hash(ulong key)
    {
        key ^= key >> 33;
        key *= 0xff51afd7ed558ccdUL;
        key ^= key >> 33;
        return (int)key & int.MaxValue;
    }
}
