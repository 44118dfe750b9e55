using System.Buffers;
using System.Text;

namespace EdgeGateway.Simulators.Gps;

/// <summary>Replays an <see cref="NmeaReplayFile"/> one line per unit, looping unless told to stop at the end.</summary>
internal sealed class ReplaySentenceSource(NmeaReplayFile file, bool loop = true) : IGpsSentenceSource
{
    private readonly byte[] _fixType = Encoding.ASCII.GetBytes(file.FixSentenceType);
    private int _next;

    /// <inheritdoc />
    public string Description => $"replay:{file.Name}";

    /// <summary>Times the end of the capture was reached.</summary>
    public int Passes { get; private set; }

    /// <inheritdoc />
    public bool TryWriteNext(DateTimeOffset utc, TimeSpan simulatedElapsed, IBufferWriter<byte> output, out GpsOutputUnit unit)
    {
        unit = default;
        if (file.Lines.Count == 0 || (!loop && Passes > 0))
        {
            return false;
        }

        var line = file.Lines[_next];
        output.Write(line);
        unit = new GpsOutputUnit(1, NmeaReplayFile.IsType(line, _fixType) ? 1 : 0);
        if (++_next == file.Lines.Count)
        {
            _next = 0;
            Passes++;
        }

        return true;
    }
}
