using FleetControl.Ingest;
using Microsoft.Extensions.Time.Testing;

namespace FleetControl.Tests.Ingest;

public sealed class CommitSizerTests
{
    private static readonly TimeSpan Target = TimeSpan.FromMilliseconds(25);

    [Fact]
    public void Limit_New_StartsAtTheFloor()
    {
        Assert.Equal(CommitSizer.MinEnvelopes, new CommitSizer(Target, 5000).Limit);
        Assert.Equal(40, new CommitSizer(Target, 40).Limit);
    }

    [Fact]
    public void OnCommitted_FullCommitsWithinTarget_GrowByAQuarterUpToTheMaximum()
    {
        var sizer = new CommitSizer(Target, 400);

        sizer.OnCommitted(sizer.Limit, TimeSpan.FromMilliseconds(5));
        Assert.Equal(CommitSizer.MinEnvelopes + (CommitSizer.MinEnvelopes / 4) + 1, sizer.Limit);

        sizer.OnCommitted(sizer.Limit, TimeSpan.FromMilliseconds(5));
        sizer.OnCommitted(sizer.Limit, TimeSpan.FromMilliseconds(5));
        Assert.Equal(400, sizer.Limit);
    }

    [Fact]
    public void Limit_UrgentArrived_HeldAtTheFloorForTheHoldThenBackToWhatItLearnt()
    {
        var time = new FakeTimeProvider();
        var sizer = new CommitSizer(Target, 5000, time);
        while (sizer.Limit < 2000)
        {
            sizer.OnCommitted(sizer.Limit, TimeSpan.FromMilliseconds(1));
        }

        var learnt = sizer.Limit;
        sizer.OnUrgentArrived();
        Assert.Equal(CommitSizer.MinEnvelopes, sizer.Limit);

        // Floor-sized commits within the target during the hold do not change what was learnt.
        sizer.OnCommitted(CommitSizer.MinEnvelopes, TimeSpan.FromMilliseconds(1));
        time.Advance(CommitSizer.UrgentHold - TimeSpan.FromMilliseconds(1));
        Assert.Equal(CommitSizer.MinEnvelopes, sizer.Limit);
        Assert.Equal(learnt, sizer.LearntLimit);

        time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(learnt, sizer.Limit);
    }

    [Fact]
    public void OnCommitted_CommitNotCutByTheLimit_LeavesItAlone()
    {
        var sizer = new CommitSizer(Target, 5000);

        sizer.OnCommitted(10, TimeSpan.FromMilliseconds(1));

        Assert.Equal(CommitSizer.MinEnvelopes, sizer.Limit);
    }

    [Fact]
    public void OnCommitted_Overrun_ScalesDownInProportionButNotBelowTheFloor()
    {
        var sizer = new CommitSizer(Target, 5000);
        while (sizer.Limit < 4000)
        {
            sizer.OnCommitted(sizer.Limit, TimeSpan.FromMilliseconds(1));
        }

        var before = sizer.Limit;
        sizer.OnCommitted(before, Target * 2);
        Assert.Equal(before / 2, sizer.Limit);

        // A commit whose fixed cost (one fsync) alone overruns: the floor holds.
        sizer.OnCommitted(CommitSizer.MinEnvelopes, Target * 100);
        Assert.Equal(CommitSizer.MinEnvelopes, sizer.Limit);
    }

    [Fact]
    public void OnCommitted_OneHugeBatchOverruns_NeverRaisesTheLimit()
    {
        var sizer = new CommitSizer(Target, 5000);

        // A single batch is never split, so a commit can hold more than the limit.
        sizer.OnCommitted(3000, Target * 1.5);

        Assert.Equal(CommitSizer.MinEnvelopes, sizer.Limit);
    }
}
