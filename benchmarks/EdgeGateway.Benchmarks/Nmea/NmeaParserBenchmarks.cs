using System.Buffers;
using BenchmarkDotNet.Attributes;
using EdgeGateway.Devices.Gnss;
using EdgeGateway.Devices.Gnss.Nmea;

namespace EdgeGateway.Benchmarks.Nmea;

/// <summary>
/// NMEA parsing on a real capture (gpsd's quectelLC79D-1.log: GN/GP/GL/GA talkers, GGA/RMC/GLL/VTG/GSA/GSV),
/// reported per sentence: the gateway's span reader (+ fix merger) against a naive string.Split parser.
/// </summary>
[MemoryDiagnoser]
public class NmeaParserBenchmarks
{
    private const string CaptureName = "quectelLC79D-1.log";
    private const int Sentences = 533; // data lines of the capture; all pass the checksum

    private byte[] _capture = [];
    private NmeaReader _reader = null!; // its scratch buffers are per connection, not per sentence

    [GlobalSetup]
    public void Setup()
    {
        _capture = NmeaCaptureDecoder.StripComments(File.ReadAllBytes(FindCapture()));
        _reader = new NmeaReader(new NmeaReaderCounters());
        var accepted = NaiveNmeaParser.Parse(_capture, out _);
        if (accepted != Sentences)
        {
            throw new InvalidOperationException($"Expected {Sentences} sentences in {CaptureName}, found {accepted}.");
        }
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Sentences)]
    public double StringSplit()
    {
        NaiveNmeaParser.Parse(_capture, out var values);
        return values;
    }

    [Benchmark(OperationsPerInvoke = Sentences)]
    public int SpanReader()
    {
        var buffer = new ReadOnlySequence<byte>(_capture);
        var count = 0;
        while (_reader.TryRead(ref buffer, out _))
        {
            count++;
        }

        return count;
    }

    [Benchmark(OperationsPerInvoke = Sentences)]
    public int SpanReaderWithFixMerger()
    {
        var merger = new GnssFixMerger();
        var buffer = new ReadOnlySequence<byte>(_capture);
        var fixes = 0;
        while (_reader.TryRead(ref buffer, out var sentence))
        {
            if (merger.Accept(sentence, out _))
            {
                fixes++;
            }
        }

        return fixes;
    }

    private static string FindCapture()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "EdgeGateway.sln")))
            {
                return Path.Combine(dir.FullName, "..", "shared", "testdata", "nmea", "gpsd", CaptureName);
            }
        }

        throw new FileNotFoundException("EdgeGateway.sln not found above " + AppContext.BaseDirectory);
    }
}
