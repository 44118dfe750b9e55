using EdgeGateway.Contracts.V1;
using EdgeGateway.Devices.Gnss;

namespace EdgeGateway.Tests.Devices.Anpr;

public sealed class GnssTrackTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 1, 6, 0, 0, TimeSpan.Zero);

    private static GnssFix Fix(double seconds, double lat, double lon) =>
        new() { Time = T0.AddSeconds(seconds), Mode = FixMode._3D, Latitude = lat, Longitude = lon };

    [Fact]
    public void TryPositionAt_BetweenTwoFixes_Interpolates()
    {
        var track = new GnssTrack();
        track.Add(Fix(0, 51.0, -0.2));
        track.Add(Fix(1, 51.001, -0.1));
        Assert.True(track.TryPositionAt(T0.AddMilliseconds(250), TimeSpan.FromSeconds(10), out var lat, out var lon, out var age));
        Assert.Equal(51.00025, lat, 9);
        Assert.Equal(-0.175, lon, 9);
        Assert.Equal(250u, age);
    }

    [Fact]
    public void TryPositionAt_OutsideTheFixesButWithinTheGap_NearestFix()
    {
        var track = new GnssTrack();
        track.Add(Fix(0, 51.0, -0.2));
        Assert.True(track.TryPositionAt(T0.AddSeconds(3), TimeSpan.FromSeconds(10), out var lat, out _, out var age));
        Assert.Equal(51.0, lat);
        Assert.Equal(3000u, age);
        Assert.False(track.TryPositionAt(T0.AddSeconds(11), TimeSpan.FromSeconds(10), out _, out _, out _));
    }

    [Fact]
    public void Add_FixWithoutPosition_Ignored()
    {
        var track = new GnssTrack();
        track.Add(new GnssFix { Time = T0, Mode = FixMode.NoFix });
        Assert.False(track.TryPositionAt(T0, TimeSpan.FromSeconds(10), out _, out _, out _));
    }
}
