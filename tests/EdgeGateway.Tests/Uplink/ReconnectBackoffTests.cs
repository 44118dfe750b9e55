using EdgeGateway.Uplink.Mqtt;

namespace EdgeGateway.Tests.Uplink;

public sealed class ReconnectBackoffTests
{
    [Fact]
    public void Next_RepeatedFailures_DoublesUpToMaxWithJitter()
    {
        var backoff = new ReconnectBackoff(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30), new Random(42));
        var ceilings = new[] { 1, 2, 4, 8, 16, 30, 30, 30 };
        var delays = new List<TimeSpan>();
        foreach (var ceiling in ceilings)
        {
            var delay = backoff.Next();
            delays.Add(delay);
            Assert.InRange(delay, TimeSpan.FromSeconds(ceiling / 2.0), TimeSpan.FromSeconds(ceiling));
        }

        Assert.True(delays.Distinct().Count() > 1, "jittered");
        backoff.Reset();
        Assert.InRange(backoff.Next(), TimeSpan.FromSeconds(0.5), TimeSpan.FromSeconds(1));
    }
}
