using System.Text;
using EdgeGateway.Simulators.Gps;
using EdgeGateway.Simulators.Outputs;
using Microsoft.Extensions.Time.Testing;

namespace EdgeGateway.Simulators.Tests.Gps;

public sealed class GpsSimulatorTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 23, 18, 0, 0, 400, TimeSpan.Zero);

    [Fact]
    public async Task RunAsync_RouteAtOneHertz_OneEpochPerSecondStampedByTheClock()
    {
        var time = new FakeTimeProvider(Start);
        var output = new RecordingOutput();
        var simulator = new GpsSimulator(new RouteSentenceSource(GpsRoutes.Hertford), new GpsSimulatorOptions { Count = 4 }, [output], time);

        var run = simulator.RunAsync(TestContext.Current.CancellationToken);
        Assert.Equal(1, simulator.FixesProduced);   // the first epoch goes out at once
        for (var i = 0; i < 3; i++)
        {
            time.Advance(TimeSpan.FromSeconds(1));
            var expected = i + 2;
            await Eventually.TrueAsync(() => simulator.FixesProduced == expected, because: $"fix {expected}");
        }

        await run.WaitAsync(TestSupport.Timeout, TestContext.Current.CancellationToken);

        var ggaTimes = output.Sentences().Where(s => s.StartsWith("$GPGGA", StringComparison.Ordinal)).Select(s => s.Split(',')[1]).ToArray();
        Assert.Equal(["180000.00", "180001.00", "180002.00", "180003.00"], ggaTimes);
        Assert.Equal(4 * 7, simulator.SentencesProduced);
        Assert.All(output.Sentences(), s => NmeaTestParser.Fields(s));
    }

    [Fact]
    public async Task RunAsync_SpeedFactor_AdvancesTheRouteClockFaster()
    {
        var time = new FakeTimeProvider(Start);
        var output = new RecordingOutput();
        var simulator = new GpsSimulator(
            new RouteSentenceSource(GpsRoutes.Hertford), new GpsSimulatorOptions { Rate = 2, SpeedFactor = 10, Count = 3 }, [output], time);

        var run = simulator.RunAsync(TestContext.Current.CancellationToken);
        time.Advance(TimeSpan.FromSeconds(0.5));
        await Eventually.TrueAsync(() => simulator.FixesProduced == 2);
        time.Advance(TimeSpan.FromSeconds(0.5));
        await run.WaitAsync(TestSupport.Timeout, TestContext.Current.CancellationToken);

        var times = output.Sentences().Where(s => s.StartsWith("$GPRMC", StringComparison.Ordinal)).Select(s => s.Split(',')[1]);
        Assert.Equal(["180000.00", "180005.00", "180010.00"], times);
    }

    [Fact]
    public async Task RunAsync_RouteWithOutage_DropsTheFixForTheLastSecondsOfEachCycle()
    {
        var time = new FakeTimeProvider(Start);
        var output = new RecordingOutput();
        var source = new RouteSentenceSource(GpsRoutes.Hertford, outage: new GpsOutage(TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(3)));
        // Two epochs per wall second, each one second of route time apart.
        var simulator = new GpsSimulator(source, new GpsSimulatorOptions { Rate = 2, SpeedFactor = 2, Count = 12 }, [output], time);

        var run = simulator.RunAsync(TestContext.Current.CancellationToken);
        for (var i = 1; i < 12; i++)
        {
            time.Advance(TimeSpan.FromMilliseconds(500));
            var expected = i + 1;
            await Eventually.TrueAsync(() => simulator.UnitsProduced == expected, because: $"epoch {expected}");
        }

        await run.WaitAsync(TestSupport.Timeout, TestContext.Current.CancellationToken);

        // Route time 0..11 s: 7, 8 and 9 s of each 10 s cycle are without a fix.
        var status = string.Concat(output.Sentences().Where(s => s.StartsWith("$GPRMC", StringComparison.Ordinal)).Select(s => s.Split(',')[2]));
        Assert.Equal("AAAAAAAVVVAA", status);
        Assert.Equal(9, simulator.FixesProduced);
        Assert.Equal(12, simulator.UnitsProduced);
    }

    [Fact]
    public async Task RunAsync_ReplayAtTenLinesPerSecond_EmitsDueLinesInOrder()
    {
        var time = new FakeTimeProvider(Start);
        var output = new RecordingOutput();
        var file = NmeaReplayFile.Parse("t.log", "# c\n$GPGGA,1*00\r\n$GPRMC,2*00\r\n$GPGSA,3*00\r\n"u8);
        var simulator = new GpsSimulator(new ReplaySentenceSource(file), new GpsSimulatorOptions { Rate = 10 }, [output], time);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);

        var run = simulator.RunAsync(stop.Token);
        time.Advance(TimeSpan.FromMilliseconds(500));
        await Eventually.TrueAsync(() => simulator.SentencesProduced >= 6, because: "six lines after 0.5 s");
        await stop.CancelAsync();
        await run.WaitAsync(TestSupport.Timeout, TestContext.Current.CancellationToken);

        Assert.Equal(6, simulator.SentencesProduced);
        Assert.Equal(2, simulator.FixesProduced);
        Assert.Equal("$GPGGA,1*00\r\n$GPRMC,2*00\r\n$GPGSA,3*00\r\n$GPGGA,1*00\r\n$GPRMC,2*00\r\n$GPGSA,3*00\r\n", output.Text);
    }

    [Fact]
    public async Task RunAsync_PtyWithNoReader_KeepsRunningAndCountsDrops()
    {
        var time = new FakeTimeProvider(Start);
        using var pty = PseudoTerminal.Open();
        var simulator = new GpsSimulator(new RouteSentenceSource(GpsRoutes.Bedford), new GpsSimulatorOptions { Rate = 10 }, [pty], time);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);

        var run = simulator.RunAsync(stop.Token);
        for (var i = 0; i < 50; i++)
        {
            time.Advance(TimeSpan.FromMilliseconds(100));
            var expected = i + 2;
            await Eventually.TrueAsync(() => simulator.FixesProduced == expected, because: $"fix {expected} with nobody reading");
        }

        Assert.False(run.IsCompleted);
        await stop.CancelAsync();
        await run.WaitAsync(TestSupport.Timeout, TestContext.Current.CancellationToken);

        Assert.Equal(simulator.BytesProduced, pty.BytesDroppedNoReader);
        Assert.Equal(0, pty.BytesWritten);
    }

    private sealed class RecordingOutput : IByteOutput
    {
        private readonly StringBuilder _text = new();

        public string Counters => "recorded";

        public string Text
        {
            get
            {
                lock (_text)
                {
                    return _text.ToString();
                }
            }
        }

        public void Write(ReadOnlySpan<byte> bytes)
        {
            lock (_text)
            {
                _text.Append(Encoding.ASCII.GetString(bytes));
            }
        }

        public IEnumerable<string> Sentences() => Text.Split("\r\n", StringSplitOptions.RemoveEmptyEntries).Select(s => s + "\r\n");
    }
}
