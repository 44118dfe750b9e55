using System.Buffers;

namespace EdgeGateway.Devices.Modem;

/// <summary>
/// Incremental AT line framer (V.250 / 3GPP TS 27.007 / ETSI EN 300 392-5 framing). Lines end in CR,
/// LF or both, in any order and number, as real modems send them (some send bare LF, some CR CR LF);
/// empty and blank lines are skipped. While <see cref="ExpectPrompt"/> is set, a <c>&gt;</c> at the start
/// of a line is the PDU prompt, which has no line end. Never throws on input: a line with control bytes
/// is returned flagged <see cref="AtRejectReason.ControlCharacter"/>, a line without an end within
/// <see cref="MaxLineLength"/> bytes is returned truncated and flagged <see cref="AtRejectReason.Overlong"/>
/// and the rest of it is skipped; both are counted. One instance per connection, not thread-safe.
/// </summary>
internal sealed class AtReader
{
    /// <summary>
    /// Longest line kept. The longest replies seen in practice are phone-book and SMS PDU lines (an SMS
    /// PDU is at most 2 x 176 hex digits) and TETRA SDS hex (2,047 bits = 512 hex digits); modem model
    /// strings and USSD texts are shorter. 4 KiB leaves room for all of them and bounds the memory a
    /// stuck line end can cost.
    /// </summary>
    public const int MaxLineLength = 4096;

    private const byte Cr = (byte)'\r';
    private const byte Lf = (byte)'\n';

    private readonly byte[] _line = new byte[MaxLineLength];
    private readonly AtReaderCounters _counters;
    private bool _discarding;
    private bool _skipPromptSpace;

    public AtReader(AtReaderCounters counters)
    {
        _counters = counters;
    }

    /// <summary>Counters this reader writes to.</summary>
    public AtReaderCounters Counters => _counters;

    /// <summary>Set by the session after a command that answers with a <c>&gt;</c> prompt (e.g. <c>AT+CMGS</c>); cleared when the prompt is read.</summary>
    public bool ExpectPrompt { get; set; }

    /// <summary>
    /// Reads the next line from <paramref name="buffer"/> and slices off what it consumed. Returns false
    /// when more bytes are needed; a partial line stays in <paramref name="buffer"/>. The line is valid
    /// until the next call.
    /// </summary>
    public bool TryRead(ref ReadOnlySequence<byte> buffer, out AtLine line) => TryRead(ref buffer, isFinalBlock: false, out line);

    /// <summary>
    /// As <see cref="TryRead(ref ReadOnlySequence{byte}, out AtLine)"/>; with <paramref name="isFinalBlock"/>
    /// (end of stream or of a capture file) an unterminated last line is returned rather than kept.
    /// </summary>
    public bool TryRead(ref ReadOnlySequence<byte> buffer, bool isFinalBlock, out AtLine line)
    {
        while (true)
        {
            line = default;
            if (buffer.IsEmpty)
            {
                return false;
            }

            var reader = new SequenceReader<byte>(buffer);
            if (_discarding)
            {
                // The tail of an overlong line: drop it up to its end.
                if (!reader.TryAdvanceToAny([Cr, Lf], advancePastDelimiter: false))
                {
                    buffer = buffer.Slice(buffer.End);
                    return false;
                }

                buffer = buffer.Slice(reader.Position);
                _discarding = false;
                continue;
            }

            reader.TryPeek(out var first);
            if (first is Cr or Lf)
            {
                reader.AdvancePastAny(Cr, Lf);
                buffer = buffer.Slice(reader.Position);
                _skipPromptSpace = false;
                continue;
            }

            if (_skipPromptSpace)
            {
                _skipPromptSpace = false;
                if (first == (byte)' ')
                {
                    buffer = buffer.Slice(1);
                    continue;
                }
            }

            if (ExpectPrompt && first == (byte)'>')
            {
                ExpectPrompt = false;
                _skipPromptSpace = true;
                buffer = buffer.Slice(1);
                _counters.CountLine();
                line = new AtLine(">"u8, AtRejectReason.None, isPrompt: true);
                return true;
            }

            var window = buffer.Length > MaxLineLength ? buffer.Slice(0, MaxLineLength) : buffer;
            var windowReader = new SequenceReader<byte>(window);
            if (!windowReader.TryAdvanceToAny([Cr, Lf], advancePastDelimiter: false))
            {
                if (buffer.Length > MaxLineLength)
                {
                    window.CopyTo(_line);
                    buffer = buffer.Slice(MaxLineLength);
                    _discarding = true;
                    _counters.CountRejected(AtRejectReason.Overlong);
                    line = new AtLine(_line, AtRejectReason.Overlong, isPrompt: false);
                    return true;
                }

                if (!isFinalBlock)
                {
                    return false; // a partial line: need more bytes
                }

                windowReader.AdvanceToEnd();
            }

            var length = (int)windowReader.Consumed;
            var bytes = _line.AsSpan(0, length);
            window.Slice(0, length).CopyTo(bytes);
            buffer = buffer.Slice(length);
            if (IsBlank(bytes))
            {
                continue;
            }

            var reject = HasControlBytes(bytes) ? AtRejectReason.ControlCharacter : AtRejectReason.None;
            if (reject == AtRejectReason.None)
            {
                _counters.CountLine();
            }
            else
            {
                _counters.CountRejected(reject);
            }

            line = new AtLine(bytes, reject, isPrompt: false);
            return true;
        }
    }

    private static bool IsBlank(ReadOnlySpan<byte> bytes) => bytes.IndexOfAnyExcept((byte)' ', (byte)'\t') < 0;

    /// <summary>
    /// Control bytes other than TAB, and DEL. Ctrl-Z (SUB) and ESC end a PDU the host sent, so they may
    /// come back in the echo of one; they are allowed.
    /// </summary>
    private static bool HasControlBytes(ReadOnlySpan<byte> bytes)
    {
        foreach (var b in bytes)
        {
            if ((b < 0x20 && b is not ((byte)'\t' or 0x1A or 0x1B)) || b == 0x7F)
            {
                return true;
            }
        }

        return false;
    }
}
