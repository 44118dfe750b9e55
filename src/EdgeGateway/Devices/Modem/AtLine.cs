using System.Text;

namespace EdgeGateway.Devices.Modem;

/// <summary>
/// One line of modem output, without its line end, as a view over the reader's scratch buffer: valid
/// only until the next read of the <see cref="AtReader"/>. A prompt (<c>&gt; </c>, no line end) is a line too.
/// </summary>
internal readonly ref struct AtLine
{
    public AtLine(ReadOnlySpan<byte> bytes, AtRejectReason reject, bool isPrompt)
    {
        Bytes = bytes;
        Reject = reject;
        IsPrompt = isPrompt;
    }

    /// <summary>The line's bytes (for an overlong line, its first <see cref="AtReader.MaxLineLength"/> bytes).</summary>
    public ReadOnlySpan<byte> Bytes { get; }

    /// <summary><see cref="AtRejectReason.None"/> for a well-formed line.</summary>
    public AtRejectReason Reject { get; }

    /// <summary>The <c>&gt;</c> prompt that asks for a PDU (only read while the reader expects one).</summary>
    public bool IsPrompt { get; }

    /// <summary>The text: UTF-8 when it is valid UTF-8 (ASCII always is), otherwise Latin-1 so no byte is lost.</summary>
    public string ToText() => Decode(Bytes);

    /// <summary>Text of modem bytes: UTF-8 when valid, otherwise Latin-1 (GSM/IRA charsets are 8-bit).</summary>
    public static string Decode(ReadOnlySpan<byte> bytes) =>
        System.Text.Unicode.Utf8.IsValid(bytes) ? Encoding.UTF8.GetString(bytes) : Encoding.Latin1.GetString(bytes);
}
