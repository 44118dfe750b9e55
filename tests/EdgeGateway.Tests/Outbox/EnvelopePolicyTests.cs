using EdgeGateway.Contracts.V1;
using EdgeGateway.Core;
using EdgeGateway.Outbox;
using EdgeGateway.Outbox.Policy;
using EdgeGateway.Time;
using Google.Protobuf.WellKnownTypes;
using Microsoft.Extensions.Time.Testing;

namespace EdgeGateway.Tests.Outbox;

/// <summary>The one place that decides stamping, class and expiry.</summary>
public sealed class EnvelopePolicyTests
{
    private static readonly DateTimeOffset Now = OutboxTestContext.Start;

    private static EnvelopePolicy Create(Action<OutboxOptions>? configure = null, bool? clockSynchronised = null)
    {
        var options = new OutboxOptions();
        configure?.Invoke(options);
        var time = new FakeTimeProvider(Now);
        var clock = clockSynchronised is { } synchronised ? new KernelClockStatus(time, () => synchronised) : null;
        return new EnvelopePolicy(options, "vehicle-7", time, new MonotonicMessageIdGenerator(time), clock);
    }

    [Theory]
    [InlineData(TimeSource.Unspecified, true, TimeSource.Ntp)]
    [InlineData(TimeSource.Local, true, TimeSource.Ntp)]
    [InlineData(TimeSource.Local, false, TimeSource.Local)]
    [InlineData(TimeSource.Unspecified, false, TimeSource.Local)]
    [InlineData(TimeSource.Gnss, true, TimeSource.Gnss)]
    [InlineData(TimeSource.Gnss, false, TimeSource.Gnss)]
    public void StampDraft_SystemClockReading_LabelledNtpOnlyWhileSynchronised(TimeSource given, bool synchronised, TimeSource expected)
    {
        var policy = Create(clockSynchronised: synchronised);
        var draft = new Envelope { Stream = "door", Priority = PriorityClass.Event, TimeSource = given };

        policy.StampDraft(draft);

        Assert.Equal(expected, draft.TimeSource);
        Assert.Equal(synchronised ? TimeSource.Ntp : TimeSource.Local, policy.NewInternal("outbox", PriorityClass.Event, 1).TimeSource);
    }

    [Fact]
    public void StampDraft_NoCapturedAt_StampsNowLocalDeviceAndClassExpiry()
    {
        var policy = Create(o => o.Classes["Event"] = new OutboxClassOptions { Expiry = TimeSpan.FromHours(3) });
        var draft = new Envelope { Stream = "door", Priority = PriorityClass.Event };

        var classIndex = policy.StampDraft(draft);

        Assert.Equal(OutboxClassDefaults.IndexOf(PriorityClass.Event), classIndex);
        Assert.Equal(Now, draft.CapturedAt.ToDateTimeOffset());
        Assert.Equal(TimeSource.Local, draft.TimeSource);
        Assert.Equal(Now + TimeSpan.FromHours(3), draft.ExpiresAt.ToDateTimeOffset());
        Assert.Equal("vehicle-7", draft.DeviceId);
    }

    [Fact]
    public void StampDraft_CapturedNearEndOfTime_ExpirySaturates()
    {
        var policy = Create();
        var captured = DateTimeOffset.MaxValue - TimeSpan.FromDays(1);
        var draft = new Envelope { Stream = "gnss", Priority = PriorityClass.Bulk, CapturedAt = Timestamp.FromDateTimeOffset(captured), TimeSource = TimeSource.Gnss };

        policy.StampDraft(draft);

        Assert.Equal(TimeSource.Gnss, draft.TimeSource);
        Assert.Equal(Timestamp.FromDateTimeOffset(DateTimeOffset.MaxValue), draft.ExpiresAt);
        Assert.Equal(DateTimeOffset.MaxValue.ToUnixTimeMilliseconds(), policy.ExpiresMs(OutboxClassDefaults.IndexOf(PriorityClass.Bulk), DateTimeOffset.MaxValue.ToUnixTimeMilliseconds() - 5));
    }

    [Theory]
    [InlineData("", PriorityClass.Event)]
    [InlineData(EnvelopePolicy.DataLossStream, PriorityClass.Event)]
    [InlineData(EnvelopePolicy.AlarmStream, PriorityClass.Alert)]
    [InlineData("gnss", PriorityClass.Unspecified)]
    public void StampDraft_NotStorable_ThrowsAndStampsNothing(string stream, PriorityClass priority)
    {
        var policy = Create();
        var draft = new Envelope { Stream = stream, Priority = priority };

        Assert.Throws<ArgumentException>(() => policy.StampDraft(draft));
        Assert.Null(draft.ExpiresAt);
        Assert.Equal(string.Empty, draft.DeviceId);
    }

    [Fact]
    public void StampIdentity_Twice_SequenceSetAndIdsIncrease()
    {
        var policy = Create();
        var first = new Envelope();
        var second = new Envelope();

        policy.StampIdentity(first, 41);
        policy.StampIdentity(second, 42);

        Assert.Equal(41ul, first.Sequence);
        Assert.Equal(42ul, second.Sequence);
        Assert.True(string.CompareOrdinal(first.MessageId, second.MessageId) < 0);
    }

    [Fact]
    public void IsExpiredAt_AtTheInstant_Expired_NeverForTheSentinels()
    {
        Assert.True(EnvelopePolicy.IsExpiredAt(1000, 1000));
        Assert.False(EnvelopePolicy.IsExpiredAt(1001, 1000));
        Assert.True(EnvelopePolicy.IsExpiredAt(Now, Now));
        Assert.False(EnvelopePolicy.IsExpiredAt(Now.AddMilliseconds(1), Now));
        Assert.False(EnvelopePolicy.IsExpiredAt(DateTimeOffset.MaxValue, Now));
        Assert.False(EnvelopePolicy.IsExpiredAt(DateTimeOffset.MinValue, Now));
    }

    [Fact]
    public void IsLiveFirst_OnlyTelemetryWithALiveWindow()
    {
        var telemetry = OutboxClassDefaults.IndexOf(PriorityClass.Telemetry);
        Assert.True(Create().IsLiveFirst(telemetry));
        Assert.False(Create().IsLiveFirst(OutboxClassDefaults.IndexOf(PriorityClass.Bulk)));
        Assert.False(Create(o => o.LiveWindow = TimeSpan.Zero).IsLiveFirst(telemetry));
    }
}
