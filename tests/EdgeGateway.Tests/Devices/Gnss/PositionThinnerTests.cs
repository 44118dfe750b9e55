using EdgeGateway.Contracts.V1;
using EdgeGateway.Devices.Gnss;

namespace EdgeGateway.Tests.Devices.Gnss;

public sealed class PositionThinnerTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);
    private static readonly GnssThinningOptions Options = new()
    {
        MinInterval = TimeSpan.FromSeconds(1),
        MaxInterval = TimeSpan.FromSeconds(30),
        MinDistanceMetres = 10,
        MinHeadingChangeDegrees = 15,
        HeadingMinSpeedMps = 1,
    };

    private static GnssFix Fix(double seconds, double northMetres = 0, double speed = 0, double track = 0, FixMode mode = FixMode._3D) => new()
    {
        Time = T0.AddSeconds(seconds),
        Mode = mode,
        Latitude = 51.5 + (northMetres / 111_195.0),
        Longitude = -0.1,
        SpeedMps = speed,
        TrackDegrees = track,
    };

    [Fact]
    public void ShouldForward_ParkedCar_OnlyHeartbeats()
    {
        var thinner = new PositionThinner(Options);

        var forwarded = Enumerable.Range(0, 61).Count(s => thinner.ShouldForward(Fix(s), T0));

        Assert.Equal(3, forwarded); // t=0, 30, 60
    }

    [Fact]
    public void ShouldForward_Moving_ForwardsEveryDistanceStep()
    {
        var thinner = new PositionThinner(Options);

        var forwarded = Enumerable.Range(0, 10).Count(s => thinner.ShouldForward(Fix(s, northMetres: s * 6, speed: 6), T0));

        Assert.Equal(5, forwarded); // first, then every 12 m
    }

    [Fact]
    public void ShouldForward_TooSoon_ThinnedEvenIfFar()
    {
        var thinner = new PositionThinner(Options);
        Assert.True(thinner.ShouldForward(Fix(0), T0));

        Assert.False(thinner.ShouldForward(Fix(0.5, northMetres: 100), T0));
    }

    [Fact]
    public void ShouldForward_TurnAtSpeed_Forwarded_TurnWhenStopped_Thinned()
    {
        var thinner = new PositionThinner(Options);
        Assert.True(thinner.ShouldForward(Fix(0, speed: 5, track: 10), T0));

        Assert.False(thinner.ShouldForward(Fix(2, speed: 0.2, track: 90), T0));
        Assert.True(thinner.ShouldForward(Fix(3, speed: 5, track: 350), T0)); // 20 degrees across north
    }

    [Fact]
    public void ShouldForward_ModeChange_AlwaysForwarded()
    {
        var thinner = new PositionThinner(Options);
        Assert.True(thinner.ShouldForward(Fix(0), T0));

        Assert.True(thinner.ShouldForward(Fix(0.1, mode: FixMode._2D), T0));
        Assert.True(thinner.ShouldForward(Fix(0.2, mode: FixMode.NoFix), T0));
    }
}
