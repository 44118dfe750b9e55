using System.Buffers;

namespace EdgeGateway.Devices.Gnss.Nmea;

/// <summary>
/// Incremental NMEA 0183 framer: finds <c>$...*hh</c> lines in a byte stream, verifies the XOR checksum
/// and hands out decodable sentences. Never throws on input; every rejected line or noise run is counted
/// in <see cref="NmeaReaderCounters"/> and the reader resynchronises on the next '$'. One instance per
/// connection (across calls it keeps only a scratch buffer and whether it is skipping noise), not thread-safe.
/// </summary>
internal sealed class NmeaReader
{
    /// <summary>
    /// Longest line accepted, from '$' to the line end. NMEA 0183 says 82 including CR LF, but real
    /// receivers exceed it: high-precision RTK GGA, NMEA 4.11 GSV/GSA with signal ids and proprietary
    /// sentences run to 100-160 bytes (the longest line in the gpsd captures is 99). 256 leaves headroom
    /// for all of them while a lost line end costs at most one 256-byte window before we resynchronise.
    /// </summary>
    public const int MaxSentenceLength = 256;

    private const byte Start = (byte)'$';
    private const int MaxFields = MaxSentenceLength / 2;

    private readonly byte[] _line = new byte[MaxSentenceLength];
    private readonly int[] _commas = new int[MaxFields];
    private readonly NmeaReaderCounters _counters;
    private bool _discarding;

    public NmeaReader(NmeaReaderCounters counters)
    {
        _counters = counters;
    }

    public NmeaReaderCounters Counters => _counters;

    /// <summary>
    /// Reads the next decodable sentence from <paramref name="buffer"/> and slices off what it consumed
    /// (including rejected lines and noise). Returns false when more bytes are needed; the unconsumed
    /// tail (a partial line from '$') stays in <paramref name="buffer"/>. The sentence is valid until the
    /// next call.
    /// </summary>
    public bool TryRead(ref ReadOnlySequence<byte> buffer, out NmeaSentence sentence)
    {
        while (true)
        {
            sentence = default;
            if (!SkipToStart(ref buffer))
            {
                return false;
            }

            // buffer now starts with '$'. Look for the line end within the cap.
            var window = buffer.Length > MaxSentenceLength ? buffer.Slice(0, MaxSentenceLength) : buffer;
            var lineLength = IndexOfLineEnd(window);
            if (lineLength < 0)
            {
                if (buffer.Length >= MaxSentenceLength)
                {
                    _counters.CountRejected(NmeaRejectReason.Overlong);
                    buffer = buffer.Slice(1); // drop this '$'; the rest of the line is not counted again
                    _discarding = true;
                    continue;
                }

                return false; // a partial line: need more bytes
            }

            var line = _line.AsSpan(0, lineLength);
            window.Slice(0, lineLength).CopyTo(line);
            buffer = buffer.Slice(lineLength);

            // A '$' inside the line means the line was cut short and another began: keep the later one.
            var innerStart = line[1..].LastIndexOf(Start);
            if (innerStart >= 0)
            {
                if (innerStart > 0)
                {
                    _counters.CountRejected(NmeaRejectReason.Malformed);
                }

                line = line[(innerStart + 1)..];
            }

            if (TryAccept(line, out sentence))
            {
                return true;
            }
        }
    }

    private bool SkipToStart(ref ReadOnlySequence<byte> buffer)
    {
        var start = buffer.PositionOf(Start);
        var noise = start is { } position ? buffer.Slice(0, position) : buffer;
        if (!noise.IsEmpty)
        {
            // One count per noise run, however the bytes were chunked.
            if (!_discarding && !IsOnlyLineEnds(noise))
            {
                _counters.CountRejected(NmeaRejectReason.Garbage);
                _discarding = true;
            }

            buffer = buffer.Slice(noise.End);
        }

        if (start is not null)
        {
            _discarding = false;
            return true;
        }

        return false;
    }

    private static bool IsOnlyLineEnds(ReadOnlySequence<byte> noise)
    {
        foreach (var segment in noise)
        {
            if (segment.Span.IndexOfAnyExcept((byte)'\r', (byte)'\n') >= 0)
            {
                return false;
            }
        }

        return true;
    }

    private static int IndexOfLineEnd(ReadOnlySequence<byte> window)
    {
        var offset = 0;
        foreach (var segment in window)
        {
            var at = segment.Span.IndexOfAny((byte)'\r', (byte)'\n');
            if (at >= 0)
            {
                return offset + at;
            }

            offset += segment.Length;
        }

        return -1;
    }

    private bool TryAccept(ReadOnlySpan<byte> line, out NmeaSentence sentence)
    {
        sentence = default;

        // line = "$" body "*" hh, possibly with trailing spaces some receivers add.
        line = line.TrimEnd((byte)' ');
        var star = line.LastIndexOf((byte)'*');
        if (star < 0)
        {
            _counters.CountRejected(NmeaRejectReason.MissingChecksum);
            return false;
        }

        if (line.Length - star != 3 || !TryHex(line[star + 1], out var high) || !TryHex(line[star + 2], out var low))
        {
            _counters.CountRejected(NmeaRejectReason.Malformed);
            return false;
        }

        var body = line[1..star];
        byte sum = 0;
        foreach (var b in body)
        {
            sum ^= b;
        }

        if (sum != (high << 4 | low))
        {
            _counters.CountRejected(NmeaRejectReason.BadChecksum);
            return false;
        }

        var addressEnd = body.IndexOf((byte)',');
        var address = addressEnd < 0 ? body : body[..addressEnd];
        if (address.Length is < 2 or > 8 || !IsAddress(address))
        {
            _counters.CountRejected(NmeaRejectReason.Malformed);
            return false;
        }

        if (address[0] == (byte)'P')
        {
            _counters.CountRejected(NmeaRejectReason.Proprietary);
            return false;
        }

        if (address.Length != 5 || !TryType(address[2..], out var type))
        {
            _counters.CountRejected(NmeaRejectReason.Unsupported);
            return false;
        }

        var commaCount = 0;
        for (var i = addressEnd; i >= 0 && i < body.Length; i++)
        {
            if (body[i] == (byte)',')
            {
                if (commaCount == _commas.Length)
                {
                    _counters.CountRejected(NmeaRejectReason.Malformed);
                    return false;
                }

                _commas[commaCount++] = i;
            }
        }

        _counters.CountAccepted();
        sentence = new NmeaSentence(body, _commas.AsSpan(0, commaCount), type);
        return true;
    }

    private static bool TryType(ReadOnlySpan<byte> formatter, out NmeaSentenceType type)
    {
        type = default;
        switch ((char)formatter[0], (char)formatter[1], (char)formatter[2])
        {
            case ('G', 'G', 'A'): type = NmeaSentenceType.Gga; return true;
            case ('R', 'M', 'C'): type = NmeaSentenceType.Rmc; return true;
            case ('G', 'L', 'L'): type = NmeaSentenceType.Gll; return true;
            case ('V', 'T', 'G'): type = NmeaSentenceType.Vtg; return true;
            case ('G', 'S', 'A'): type = NmeaSentenceType.Gsa; return true;
            case ('G', 'S', 'V'): type = NmeaSentenceType.Gsv; return true;
            case ('Z', 'D', 'A'): type = NmeaSentenceType.Zda; return true;
            case ('G', 'N', 'S'): type = NmeaSentenceType.Gns; return true;
            default: return false;
        }
    }

    private static bool IsAddress(ReadOnlySpan<byte> address)
    {
        foreach (var b in address)
        {
            if (b is not ((>= (byte)'A' and <= (byte)'Z') or (>= (byte)'0' and <= (byte)'9')))
            {
                return false;
            }
        }

        return true;
    }

    private static bool TryHex(byte b, out int value)
    {
        value = b switch
        {
            >= (byte)'0' and <= (byte)'9' => b - '0',
            >= (byte)'A' and <= (byte)'F' => b - 'A' + 10,
            >= (byte)'a' and <= (byte)'f' => b - 'a' + 10,
            _ => -1,
        };
        return value >= 0;
    }
}
