using EdgeGateway.Uplink.Drain;
using Microsoft.Extensions.Time.Testing;

namespace EdgeGateway.Tests.Uplink;

public sealed class TokenBucketTests
{
    [Fact]
    public void TryTake_BurstSpent_RefillsAtRate()
    {
        var time = new FakeTimeProvider();
        var bucket = new TokenBucket(ratePerSecond: 1000, capacity: 100, time);

        Assert.True(bucket.TryTake(100));
        Assert.False(bucket.TryTake(1));
        Assert.Equal(0, bucket.Available);

        time.Advance(TimeSpan.FromMilliseconds(50));
        Assert.Equal(50, bucket.Available);
        Assert.False(bucket.TryTake(51));
        Assert.True(bucket.TryTake(50));
    }

    [Fact]
    public void Available_LongIdle_CappedAtCapacity()
    {
        var time = new FakeTimeProvider();
        var bucket = new TokenBucket(1000, 100, time);
        bucket.Take(100);

        time.Advance(TimeSpan.FromHours(1));

        Assert.Equal(100, bucket.Available);
    }

    [Fact]
    public void Take_UrgentIntoDebt_DelaysLaterTokens()
    {
        var time = new FakeTimeProvider();
        var bucket = new TokenBucket(1000, 100, time);
        bucket.Take(100);
        bucket.Take(50); // urgent publish while empty: 50 tokens of debt

        Assert.Equal(0, bucket.Available);
        Assert.Equal(TimeSpan.FromMilliseconds(60), bucket.TimeUntilAvailable(10));
        time.Advance(TimeSpan.FromMilliseconds(50));
        Assert.Equal(0, bucket.Available);
        time.Advance(TimeSpan.FromMilliseconds(10));
        Assert.Equal(10, bucket.Available);
    }

    [Fact]
    public void TakeOverOneSecond_SteadyDrain_NeverExceedsRatePlusBurst()
    {
        var time = new FakeTimeProvider();
        var bucket = new TokenBucket(2000, 200, time);
        var taken = 0;
        for (var step = 0; step < 1000; step++)
        {
            var n = bucket.Available;
            Assert.True(bucket.TryTake(n));
            taken += n;
            time.Advance(TimeSpan.FromMilliseconds(1));
        }

        Assert.InRange(taken, 2000, 2200);
    }
}
