using System.Buffers.Text;

namespace EdgeGateway.Devices.Modem;

/// <summary>
/// Walks the comma-separated parameters of a reply (<c>2,1,"2AF5","0B88E350",2</c>) without allocating.
/// Quotes may hold commas. A field whose quote is never closed, or that has text after its closing quote,
/// is read as malformed and runs to the end of the line (so the fields after it are not guessed).
/// </summary>
internal ref struct AtFieldReader
{
    private ReadOnlySpan<byte> _rest;
    private bool _done;

    public AtFieldReader(ReadOnlySpan<byte> parameters)
    {
        _rest = parameters;
        _done = false;
    }

    /// <summary>Reads the next field; false after the last one.</summary>
    public bool TryNext(out AtField field)
    {
        field = default;
        if (_done)
        {
            return false;
        }

        var text = _rest.TrimStart((byte)' ');
        if (text.IsEmpty || text[0] != (byte)'"')
        {
            var comma = text.IndexOf((byte)',');
            var raw = comma < 0 ? text : text[..comma];
            var quote = raw.IndexOf((byte)'"');
            if (quote >= 0)
            {
                // A quote in the middle of an unquoted field: nothing after it can be trusted.
                field = new AtField(text.TrimEnd((byte)' '), quoted: false, malformed: true);
                _done = true;
                return true;
            }

            field = new AtField(raw.TrimEnd((byte)' '), quoted: false, malformed: false);
            Advance(text, comma);
            return true;
        }

        var close = text[1..].IndexOf((byte)'"');
        if (close < 0)
        {
            field = new AtField(text[1..], quoted: true, malformed: true);
            _done = true;
            return true;
        }

        var value = text.Slice(1, close);
        var after = text[(close + 2)..].TrimStart((byte)' ');
        if (!after.IsEmpty && after[0] != (byte)',')
        {
            field = new AtField(text, quoted: true, malformed: true);
            _done = true;
            return true;
        }

        field = new AtField(value, quoted: true, malformed: false);
        Advance(after, after.IsEmpty ? -1 : 0);
        return true;
    }

    private void Advance(ReadOnlySpan<byte> text, int comma)
    {
        if (comma < 0)
        {
            _done = true;
            _rest = [];
        }
        else
        {
            _rest = text[(comma + 1)..];
        }
    }
}

/// <summary>One reply parameter: its text without quotes, whether it was quoted, and whether it was malformed.</summary>
internal readonly ref struct AtField
{
    public AtField(ReadOnlySpan<byte> value, bool quoted, bool malformed)
    {
        Value = value;
        Quoted = quoted;
        Malformed = malformed;
    }

    public ReadOnlySpan<byte> Value { get; }

    public bool Quoted { get; }

    public bool Malformed { get; }

    /// <summary>Empty and well formed (an omitted optional parameter, <c>,,</c> or <c>""</c>).</summary>
    public bool IsEmpty => !Malformed && Value.IsEmpty;

    /// <summary>A decimal integer (quoted or not).</summary>
    public bool TryInt(out int value)
    {
        value = 0;
        return !Malformed && !Value.IsEmpty && Utf8Parser.TryParse(Value, out value, out var consumed) && consumed == Value.Length;
    }

    /// <summary>A hexadecimal integer, quoted or not (LAC/TAC and cell ids are hex in 27.007), up to 15 digits.</summary>
    public bool TryHex(out long value)
    {
        value = 0;
        if (Malformed || Value.IsEmpty || Value.Length > 15)
        {
            return false;
        }

        foreach (var b in Value)
        {
            int digit = b switch
            {
                >= (byte)'0' and <= (byte)'9' => b - '0',
                >= (byte)'a' and <= (byte)'f' => b - 'a' + 10,
                >= (byte)'A' and <= (byte)'F' => b - 'A' + 10,
                _ => -1,
            };
            if (digit < 0)
            {
                value = 0;
                return false;
            }

            value = (value << 4) | (long)digit;
        }

        return true;
    }
}
