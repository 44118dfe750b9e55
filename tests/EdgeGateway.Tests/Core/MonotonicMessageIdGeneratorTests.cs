using EdgeGateway.Core;
using Microsoft.Extensions.Time.Testing;

namespace EdgeGateway.Tests.Core;

public sealed class MonotonicMessageIdGeneratorTests
{
    [Fact]
    public void NextString_ManyWithinOneMillisecond_StrictlyIncreasingVersion7()
    {
        var generator = new MonotonicMessageIdGenerator(new FakeTimeProvider(new DateTimeOffset(2026, 11, 23, 12, 0, 0, TimeSpan.Zero)));

        var ids = Enumerable.Range(0, 10_000).Select(_ => generator.NextString()).ToList();

        Assert.Equal(ids, ids.Order(StringComparer.Ordinal));
        Assert.Equal(ids.Count, ids.Distinct().Count());
        Assert.All(ids.Take(10), id => Assert.Equal(7, Guid.Parse(id).Version));
        Assert.All(ids.Take(10), id => Assert.Equal(id.ToLowerInvariant(), id));
    }

    [Fact]
    public void NextString_ClockStepsBackAndFloorRaised_NeverGoesBackwards()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 23, 12, 0, 0, TimeSpan.Zero));
        var first = new MonotonicMessageIdGenerator(time);
        var before = first.NextString();
        Span<byte> floor = stackalloc byte[16];
        Assert.True(MonotonicMessageIdGenerator.TryParse(before, floor));

        var restarted = new MonotonicMessageIdGenerator(new FakeTimeProvider(time.GetUtcNow() - TimeSpan.FromDays(1)));
        restarted.EnsureAfter(floor);
        var after = restarted.NextString();

        Assert.True(string.CompareOrdinal(after, before) > 0);
    }

    [Fact]
    public void LowerBoundFor_Timestamp_SortsBeforeIdsOfThatMillisecond()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 23, 12, 0, 0, TimeSpan.Zero));
        var generator = new MonotonicMessageIdGenerator(time);
        Span<byte> id = stackalloc byte[16];
        generator.Next(id);

        var bound = MonotonicMessageIdGenerator.LowerBoundFor(time.GetUtcNow().ToUnixTimeMilliseconds());

        Assert.True(bound.AsSpan().SequenceCompareTo(id) <= 0);
        Assert.Equal(time.GetUtcNow().ToUnixTimeMilliseconds(), MonotonicMessageIdGenerator.TimestampOf(id));
    }
}
