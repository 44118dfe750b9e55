using System.Buffers;
using EdgeGateway.Devices.Gnss;
using EdgeGateway.Devices.Gnss.Nmea;

namespace EdgeGateway.Tests.Devices.Gnss;

public sealed class NmeaAllocationTests
{
    [Fact]
    public void ReaderAndMerger_RealCapture_AllocateNothingPerSentence()
    {
        var data = NmeaCaptureDecoder.StripComments(File.ReadAllBytes(GnssTestData.PathOf("quectelLC79D-1.log")));
        var reader = new NmeaReader(new NmeaReaderCounters());
        var merger = new GnssFixMerger();
        Run(reader, merger, data); // warm up (JIT, statics)

        var before = GC.GetAllocatedBytesForCurrentThread();
        var sentences = Run(reader, merger, data);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.True(sentences > 500);
        Assert.Equal(0, allocated);
    }

    private static int Run(NmeaReader reader, GnssFixMerger merger, byte[] data)
    {
        var buffer = new ReadOnlySequence<byte>(data);
        var count = 0;
        while (reader.TryRead(ref buffer, out var sentence))
        {
            merger.Accept(sentence, out _);
            count++;
        }

        return count;
    }
}
