using EdgeGateway.Contracts.Recording;
using EdgeGateway.Testing;
using EdgeGateway.Transport;
using Microsoft.Extensions.Time.Testing;

namespace EdgeGateway.Tests.Transport;

public sealed class TrafficRecorderTests
{
    [Fact]
    public void Record_BothDirections_TimestampedAndParsedBack()
    {
        using var dir = new TempDirectory();
        var path = Path.Combine(dir.Path, "modem.rec");
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero));
        using (var recorder = new TrafficRecorder(path, 1 << 20, time))
        {
            recorder.Record(TrafficDirection.Sent, "AT+CSQ\r"u8);
            time.Advance(TimeSpan.FromMilliseconds(120));
            recorder.Record(TrafficDirection.Received, "\r\n+CSQ: 20,99\r\n\r\nOK\r\n"u8);
        }

        var chunks = File.ReadAllLines(path).Select(l => TrafficRecordFormat.TryParseLine(l, out var c) ? c : null).OfType<TrafficChunk>().ToList();

        Assert.Equal(2, chunks.Count);
        Assert.Equal(TrafficDirection.Sent, chunks[0].Direction);
        Assert.Equal("AT+CSQ\r"u8.ToArray(), chunks[0].Bytes);
        Assert.Equal(TimeSpan.FromMilliseconds(120), chunks[1].At - chunks[0].At);
        Assert.Equal("\r\n+CSQ: 20,99\r\n\r\nOK\r\n"u8.ToArray(), chunks[1].Bytes);
    }

    [Fact]
    public void Record_PastTheLimit_RotatesSoAtMostTwoFilesAreKept()
    {
        using var dir = new TempDirectory();
        var path = Path.Combine(dir.Path, "gps.rec");
        using (var recorder = new TrafficRecorder(path, 4096, TimeProvider.System))
        {
            for (var i = 0; i < 1000; i++)
            {
                recorder.Record(TrafficDirection.Received, "$GPGGA,123519,4807.038,N,01131.000,E,1,08,0.9,545.4,M,46.9,M,,*47\r\n"u8);
            }
        }

        Assert.Equal(["gps.rec", "gps.rec.1"], Directory.GetFiles(dir.Path).Select(Path.GetFileName).Order());
        Assert.All(Directory.GetFiles(dir.Path), f => Assert.True(new FileInfo(f).Length < 4096 + 512));
    }
}
