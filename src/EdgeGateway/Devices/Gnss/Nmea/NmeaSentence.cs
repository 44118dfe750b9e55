namespace EdgeGateway.Devices.Gnss.Nmea;

/// <summary>
/// A checksum-verified sentence as a view over the reader's scratch buffer: valid only until the next
/// <see cref="NmeaReader.TryRead"/>. Field 0 is the address (e.g. <c>GPGGA</c>), field 1 the first data
/// field, as in the NMEA standard's own numbering. No allocation.
/// </summary>
internal readonly ref struct NmeaSentence
{
    private readonly ReadOnlySpan<byte> _body;
    private readonly ReadOnlySpan<int> _commas;

    public NmeaSentence(ReadOnlySpan<byte> body, ReadOnlySpan<int> commas, NmeaSentenceType type)
    {
        _body = body;
        _commas = commas;
        Type = type;
    }

    /// <summary>The sentence formatter.</summary>
    public NmeaSentenceType Type { get; }

    /// <summary>Talker id, e.g. <c>GP</c>, <c>GN</c>, <c>BD</c> (the first two address bytes).</summary>
    public ReadOnlySpan<byte> Talker => _body[..2];

    /// <summary>Second talker byte: 'P' for GP, 'N' for GN, 'L' for GL...; how gpsd tells GSA talkers apart.</summary>
    public byte TalkerKind => _body[1];

    /// <summary>Everything between '$' and '*', without either.</summary>
    public ReadOnlySpan<byte> Body => _body;

    /// <summary>Number of fields including the address.</summary>
    public int FieldCount => _commas.Length + 1;

    /// <summary>Field <paramref name="index"/>; empty when the sentence is shorter (like gpsd, a missing field reads as empty).</summary>
    public ReadOnlySpan<byte> this[int index]
    {
        get
        {
            if ((uint)index > (uint)_commas.Length)
            {
                return [];
            }

            var start = index == 0 ? 0 : _commas[index - 1] + 1;
            var end = index < _commas.Length ? _commas[index] : _body.Length;
            return _body[start..end];
        }
    }
}
