using EdgeGateway.Simulators.Gps;

namespace EdgeGateway.Simulators.Tests.Gps;

public sealed class RouteModelTests
{
    private const double Cruise = 13.4;

    public static TheoryData<string> RouteNames => new(GpsRoutes.All.Select(r => r.Name));

    [Theory]
    [MemberData(nameof(RouteNames))]
    public void Advance_ManyLaps_SpeedStaysWithinUrbanBounds(string name)
    {
        var model = new RouteModel(GpsRoutes.Find(name)!);
        var previous = model.Current;
        var maxSpeed = 0.0;
        for (var i = 0; i < 3 * 600; i++)
        {
            var sample = model.Advance(TimeSpan.FromSeconds(1));
            Assert.InRange(sample.SpeedMetresPerSecond, 0, Cruise + 1e-9);
            // Accelerating at most 1.5 m/s², braking at most 5 m/s² (planned braking is 2.5).
            Assert.InRange(sample.SpeedMetresPerSecond - previous.SpeedMetresPerSecond, -5.0 - 1e-9, 1.5 + 1e-9);
            maxSpeed = Math.Max(maxSpeed, sample.SpeedMetresPerSecond);
            previous = sample;
        }

        Assert.Equal(Cruise, maxSpeed, 3);   // it does reach 30 mph somewhere
    }

    [Fact]
    public void Advance_FromStart_AcceleratesFromRest()
    {
        var model = new RouteModel(GpsRoutes.Hertford);

        Assert.Equal(0, model.Current.SpeedMetresPerSecond);
        var after2s = model.Advance(TimeSpan.FromSeconds(2));

        Assert.InRange(after2s.SpeedMetresPerSecond, 2.5, 3.01);
    }

    [Theory]
    [MemberData(nameof(RouteNames))]
    public void Advance_TenHertz_CourseChangesSmoothly(string name)
    {
        var model = new RouteModel(GpsRoutes.Find(name)!);
        var previous = model.Advance(TimeSpan.FromSeconds(5));
        var largest = 0.0;
        for (var i = 0; i < 10 * 900; i++)
        {
            var sample = model.Advance(TimeSpan.FromMilliseconds(100));
            var change = Math.Abs(RouteModel.AngleDifference(previous.CourseDegrees, sample.CourseDegrees));
            largest = Math.Max(largest, change);
            previous = sample;
        }

        // Corners turn the course over several metres, never as a jump between 0.1 s samples.
        Assert.InRange(largest, 1, 25);
    }

    [Fact]
    public void Advance_AtSharpCorner_IsSlowerThanOnStraight()
    {
        var model = new RouteModel(GpsRoutes.Hertford);
        var sharpest = Enumerable.Range(0, GpsRoutes.Hertford.Waypoints.Count)
            .Where(i => GpsRoutes.Hertford.Waypoints[i].StopSeconds == 0)
            .MaxBy(model.TurnAngleDegrees);
        Assert.True(model.TurnAngleDegrees(sharpest) > 60);
        var corner = GpsRoutes.Hertford.Waypoints[sharpest];

        // Drive one lap and note the speed where the car passes closest to the sharpest corner.
        var closest = double.MaxValue;
        var speedThere = double.NaN;
        while (model.Current.Laps == 0)
        {
            var s = model.Advance(TimeSpan.FromMilliseconds(100));
            var d = Math.Abs(s.Latitude - corner.Latitude) + Math.Abs(s.Longitude - corner.Longitude);
            if (d < closest)
            {
                closest = d;
                speedThere = s.SpeedMetresPerSecond;
            }
        }

        Assert.InRange(speedThere, 2.9, Cruise * 0.6);
    }

    [Fact]
    public void Advance_StopLines_HaltsOnTheLineForTheWaitThenPullsAway()
    {
        var route = GpsRoutes.Hertford;
        var model = new RouteModel(route);
        var stops = route.Waypoints.Where(w => w.StopSeconds > 0).ToArray();
        Assert.NotEmpty(stops);

        var stoppedTenths = 0;
        var nearestToStop = stops.ToDictionary(w => w, _ => double.MaxValue);
        model.Advance(TimeSpan.FromSeconds(1));
        while (model.Current.Laps == 0)
        {
            var s = model.Advance(TimeSpan.FromMilliseconds(100));
            if (s.SpeedMetresPerSecond == 0)
            {
                stoppedTenths++;
                foreach (var w in stops)
                {
                    nearestToStop[w] = Math.Min(nearestToStop[w], Math.Abs(s.Latitude - w.Latitude) + Math.Abs(s.Longitude - w.Longitude));
                }
            }
        }

        // Stationary for the sum of the waits (plus up to two 0.1 s steps per stop), each time exactly on a stop line.
        var waits = stops.Sum(w => w.StopSeconds);
        Assert.InRange(stoppedTenths / 10.0, waits, waits + (0.2 * stops.Length) + 1e-9);
        Assert.All(nearestToStop.Values, d => Assert.True(d < 1e-9));
    }

    [Theory]
    [MemberData(nameof(RouteNames))]
    public void Advance_OneLap_ReturnsToTheStart(string name)
    {
        var route = GpsRoutes.Find(name)!;
        var model = new RouteModel(route);
        var start = model.Current;
        var time = TimeSpan.Zero;
        while (model.Current.Laps == 0)
        {
            model.Advance(TimeSpan.FromSeconds(1));
            time += TimeSpan.FromSeconds(1);
        }

        var lapEnd = model.Current;
        Assert.InRange(model.Length, 2000, 5000);
        // Back within one second's driving of the start, with the distance equal to one lap plus a bit.
        Assert.InRange(lapEnd.DistanceMetres - model.Length, 0, Cruise + 0.01);
        Assert.InRange(DistanceMetres(start, lapEnd), 0, Cruise + 1);
        // ~3 km at up to 30 mph with corners: a few minutes, not seconds or hours.
        Assert.InRange(time.TotalMinutes, 3, 12);
    }

    [Fact]
    public void Advance_SameElapsedInDifferentSteps_EndsInSamePlace()
    {
        var coarse = new RouteModel(GpsRoutes.Bedford);
        var fine = new RouteModel(GpsRoutes.Bedford);

        var a = coarse.Advance(TimeSpan.FromSeconds(100));
        RouteSample b = default;
        for (var i = 0; i < 100; i++)
        {
            b = fine.Advance(TimeSpan.FromSeconds(1));
        }

        Assert.Equal(a.DistanceMetres, b.DistanceMetres, 6);
        Assert.Equal(a.Latitude, b.Latitude, 9);
    }

    [Fact]
    public void Advance_PositionsStayInTown()
    {
        var model = new RouteModel(GpsRoutes.Hertford);
        for (var i = 0; i < 600; i++)
        {
            var s = model.Advance(TimeSpan.FromSeconds(1));
            Assert.InRange(s.Latitude, 51.790, 51.800);
            Assert.InRange(s.Longitude, -0.090, -0.068);
            Assert.InRange(s.AltitudeMetres, 35, 50);
        }
    }

    private static double DistanceMetres(RouteSample a, RouteSample b)
    {
        var dy = (a.Latitude - b.Latitude) * 111_195;
        var dx = (a.Longitude - b.Longitude) * 111_195 * Math.Cos(a.Latitude * Math.PI / 180);
        return Math.Sqrt((dx * dx) + (dy * dy));
    }
}
