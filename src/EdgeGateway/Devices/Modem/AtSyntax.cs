using System.Buffers.Text;

namespace EdgeGateway.Devices.Modem;

/// <summary>Recognises the shapes of AT lines: final result codes, command echoes, <c>+NAME:</c> prefixes.</summary>
internal static class AtSyntax
{
    /// <summary>
    /// Whether <paramref name="line"/> is a final result code (V.250 verbose form, 27.007 <c>+CME ERROR</c>,
    /// 27.005 <c>+CMS ERROR</c>). <paramref name="code"/> is the numeric error (-1 when absent or textual,
    /// as with <c>AT+CMEE=2</c>).
    /// </summary>
    public static bool TryParseFinal(ReadOnlySpan<byte> line, out AtFinalKind kind, out int code)
    {
        code = -1;
        var text = line.Trim((byte)' ');
        if (text.SequenceEqual("OK"u8))
        {
            kind = AtFinalKind.Ok;
            return true;
        }

        if (text.SequenceEqual("ERROR"u8))
        {
            kind = AtFinalKind.Error;
            return true;
        }

        if (StartsWithIgnoreCase(text, "+CME ERROR"u8) || StartsWithIgnoreCase(text, "+CMS ERROR"u8))
        {
            kind = text[3] is (byte)'E' or (byte)'e' ? AtFinalKind.CmeError : AtFinalKind.CmsError;
            var rest = text["+CME ERROR"u8.Length..].TrimStart((byte)' ');
            if (!rest.IsEmpty && rest[0] == (byte)':')
            {
                rest = rest[1..].Trim((byte)' ');
                if (Utf8Parser.TryParse(rest, out int value, out var consumed) && consumed == rest.Length && value >= 0)
                {
                    code = value;
                }
            }

            return true;
        }

        if (text.SequenceEqual("NO CARRIER"u8) || text.SequenceEqual("BUSY"u8) || text.SequenceEqual("NO ANSWER"u8)
            || text.SequenceEqual("NO DIALTONE"u8) || text.SequenceEqual("NO DIAL TONE"u8))
        {
            kind = AtFinalKind.CallOutcome;
            return true;
        }

        if (text.SequenceEqual("CONNECT"u8) || (text.StartsWith("CONNECT "u8) && text.Length <= 32))
        {
            kind = AtFinalKind.Connect;
            return true;
        }

        kind = default;
        return false;
    }

    /// <summary>Whether the line starts with <c>AT</c> (any case), i.e. may be a command echo.</summary>
    public static bool StartsWithAt(ReadOnlySpan<byte> line) =>
        line.Length >= 2 && (line[0] | 0x20) == 'a' && (line[1] | 0x20) == 't';

    /// <summary>
    /// Whether an <c>AT</c>-prefixed line looks like a command rather than text that happens to start
    /// with "AT" (a model string such as "ATLAS 200"): no spaces outside quotes, and an extended-command
    /// prefix or a short basic command.
    /// </summary>
    public static bool LooksLikeCommand(ReadOnlySpan<byte> line)
    {
        if (!StartsWithAt(line))
        {
            return false;
        }

        if (line.Length == 2)
        {
            return true;
        }

        var quoted = false;
        foreach (var b in line)
        {
            if (b == (byte)'"')
            {
                quoted = !quoted;
            }
            else if (b == (byte)' ' && !quoted)
            {
                return false;
            }
        }

        return IsExtendedPrefix(line[2]) || line.Length <= 8;
    }

    /// <summary>
    /// The name of the command an echo carries, upper case, without its prefix: <c>AT+CREG?</c> → <c>CREG</c>,
    /// <c>AT^SYSINFO</c> → <c>SYSINFO</c>, <c>ATE0</c> → <c>E</c>, <c>AT&amp;F</c> → <c>&amp;F</c>. Null for a bare <c>AT</c>.
    /// </summary>
    public static string? EchoCommandName(ReadOnlySpan<byte> line)
    {
        if (!StartsWithAt(line) || line.Length == 2)
        {
            return null;
        }

        var rest = line[2..];
        if (IsExtendedPrefix(rest[0]))
        {
            return NameAt(rest[1..]);
        }

        if (rest[0] == (byte)'&' && rest.Length > 1 && IsLetter(rest[1]))
        {
            return "&" + (char)(rest[1] & ~0x20);
        }

        return IsLetter(rest[0]) ? ((char)(rest[0] & ~0x20)).ToString() : null;
    }

    /// <summary>
    /// The name of a prefixed reply line, upper case, without its prefix: <c>+CREG: 1,2</c> → <c>CREG</c>,
    /// <c>^SYSINFO:2,3</c> → <c>SYSINFO</c>. Null when the line has no such prefix.
    /// </summary>
    public static string? ReplyName(ReadOnlySpan<byte> line)
    {
        if (line.IsEmpty || !IsExtendedPrefix(line[0]))
        {
            return null;
        }

        var name = NameAt(line[1..]);
        if (name is null)
        {
            return null;
        }

        // The name ends at ':' (or the end of the line, e.g. "+PBREADY"); anything else is text, not a reply.
        var after = line[(1 + name.Length)..];
        return after.IsEmpty || after[0] == (byte)':' || after[0] == (byte)' ' ? name : null;
    }

    /// <summary>What follows the <c>NAME:</c> of a prefixed line, leading spaces trimmed (empty when there is no ':').</summary>
    public static ReadOnlySpan<byte> Parameters(ReadOnlySpan<byte> line)
    {
        var colon = line.IndexOf((byte)':');
        return colon < 0 ? [] : line[(colon + 1)..].TrimStart((byte)' ');
    }

    private static bool IsExtendedPrefix(byte b) => b is (byte)'+' or (byte)'^' or (byte)'$' or (byte)'%' or (byte)'*' or (byte)'!' or (byte)'#';

    private static bool IsLetter(byte b) => (uint)((b | 0x20) - 'a') <= 'z' - 'a';

    private static bool IsNameByte(byte b) => IsLetter(b) || (uint)(b - '0') <= 9 || b == (byte)'_';

    private static string? NameAt(ReadOnlySpan<byte> text)
    {
        var length = 0;
        while (length < text.Length && length < 32 && IsNameByte(text[length]))
        {
            length++;
        }

        if (length == 0 || !IsLetter(text[0]))
        {
            return null;
        }

        Span<char> chars = stackalloc char[length];
        for (var i = 0; i < length; i++)
        {
            chars[i] = char.ToUpperInvariant((char)text[i]);
        }

        return Intern(chars);
    }

    /// <summary>
    /// Command names repeat on every line; the first few hundred distinct ones are kept so a reply line
    /// costs no string. Beyond the cap (garbage that looks like names) each one is allocated.
    /// </summary>
    private static string Intern(ReadOnlySpan<char> name)
    {
        if (Names.TryGetValue(name, out var known))
        {
            return known;
        }

        var text = new string(name);
        if (NameCache.Count < MaxCachedNames)
        {
            NameCache.TryAdd(text, text);
        }

        return text;
    }

    private const int MaxCachedNames = 512;
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, string> NameCache = new(StringComparer.Ordinal);
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, string>.AlternateLookup<ReadOnlySpan<char>> Names =
        NameCache.GetAlternateLookup<ReadOnlySpan<char>>();

    private static bool StartsWithIgnoreCase(ReadOnlySpan<byte> text, ReadOnlySpan<byte> prefix)
    {
        if (text.Length < prefix.Length)
        {
            return false;
        }

        for (var i = 0; i < prefix.Length; i++)
        {
            var a = text[i];
            var b = prefix[i];
            if (a != b && (IsLetter(a) ? (a | 0x20) != (b | 0x20) : true))
            {
                return false;
            }
        }

        return true;
    }
}
