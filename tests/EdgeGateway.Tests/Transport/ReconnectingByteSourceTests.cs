using EdgeGateway.Transport;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace EdgeGateway.Tests.Transport;

public sealed class ReconnectingByteSourceTests
{
    private sealed class CountingFailingConnector : IByteSourceConnector
    {
        private int _attempts;

        public int Attempts => Volatile.Read(ref _attempts);

        public string Description => "failing";

        public ValueTask<ByteSourceConnection> ConnectAsync(CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _attempts);
            throw new IOException("unplugged");
        }
    }

    private static async Task WaitForAttemptsAsync(CountingFailingConnector connector, int expected)
    {
        var deadline = TimeProvider.System.GetTimestamp() + (10 * TimeProvider.System.TimestampFrequency);
        while (connector.Attempts < expected)
        {
            Assert.True(TimeProvider.System.GetTimestamp() < deadline, $"only {connector.Attempts} attempts, expected {expected}");
            await Task.Delay(5, TestContext.Current.CancellationToken);
        }
    }

    [Fact]
    public async Task RunAsync_ConnectFails_BacksOffExponentiallyUpToMax()
    {
        var time = new FakeTimeProvider();
        var connector = new CountingFailingConnector();
        var counters = new TransportCounters();
        var source = new ReconnectingByteSource(connector, new ReconnectOptions(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(4)), time, NullLogger.Instance, counters);
        using var stop = new CancellationTokenSource();
        var run = source.RunAsync((_, _) => Task.CompletedTask, stop.Token);

        await WaitForAttemptsAsync(connector, 1);
        var expectedGaps = new[] { 1, 2, 4, 4 }; // seconds before attempts 2..5
        for (var i = 0; i < expectedGaps.Length; i++)
        {
            time.Advance(TimeSpan.FromSeconds(expectedGaps[i]) - TimeSpan.FromMilliseconds(1));
            Assert.Equal(i + 1, connector.Attempts); // not yet
            time.Advance(TimeSpan.FromMilliseconds(1));
            await WaitForAttemptsAsync(connector, i + 2);
        }

        await stop.CancelAsync();
        await run.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        Assert.Equal(connector.Attempts, counters.ConnectFailures);
        Assert.Equal(0, counters.Connects);
    }
}
