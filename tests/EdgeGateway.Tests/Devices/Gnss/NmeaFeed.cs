using System.Buffers;
using System.Text;
using EdgeGateway.Devices.Gnss;
using EdgeGateway.Devices.Gnss.Nmea;

namespace EdgeGateway.Tests.Devices.Gnss;

/// <summary>Feeds bytes to a reader in chunks the way a PipeReader would (unconsumed bytes are kept).</summary>
internal static class NmeaFeed
{
    /// <summary>Returns the accepted sentences as text ("GPGGA,...", without '$' and checksum).</summary>
    public static List<string> Sentences(byte[] data, int chunk, NmeaReaderCounters counters)
    {
        var result = new List<string>();
        Run(data, chunk, counters, (in NmeaSentence s) => result.Add(Encoding.ASCII.GetString(s.Body)));
        return result;
    }

    /// <summary>Decodes into fixes, feeding <paramref name="chunk"/> bytes at a time.</summary>
    public static List<GnssFix> Fixes(byte[] data, int chunk, NmeaReaderCounters counters)
    {
        var merger = new GnssFixMerger();
        var fixes = new List<GnssFix>();
        Run(data, chunk, counters, (in NmeaSentence s) =>
        {
            if (merger.Accept(s, out var fix))
            {
                fixes.Add(fix);
            }
        });
        if (merger.TryFlush(out var last))
        {
            fixes.Add(last);
        }

        return fixes;
    }

    public delegate void SentenceHandler(in NmeaSentence sentence);

    public static void Run(byte[] data, int chunk, NmeaReaderCounters counters, SentenceHandler handler)
    {
        var reader = new NmeaReader(counters);
        var pending = new List<byte>();
        for (var offset = 0; offset < data.Length; offset += chunk)
        {
            pending.AddRange(data.AsSpan(offset, Math.Min(chunk, data.Length - offset)));
            var array = pending.ToArray();
            var buffer = new ReadOnlySequence<byte>(array);
            while (reader.TryRead(ref buffer, out var sentence))
            {
                handler(sentence);
            }

            var consumed = array.Length - (int)buffer.Length;
            pending.RemoveRange(0, consumed);
        }
    }
}
