namespace EdgeGateway.Simulators.Gps;

/// <summary>
/// Drives a car round a closed <see cref="GpsRoute"/>: starts at rest at the first waypoint, accelerates
/// to cruise, brakes in time to take each corner at a speed its sharpness allows (or to halt at a stop
/// line and wait there), and reports a course that turns smoothly through corners. Pure and
/// deterministic: the only input is elapsed time.
/// </summary>
internal sealed class RouteModel
{
    private const double EarthRadiusMetres = 6_371_000;
    private const double StepSeconds = 0.1;
    private const double CourseChordMetres = 5;   // course = direction of a short chord centred on the car
    private const double LookAheadMetres = 150;

    private readonly GpsRoute _route;
    private readonly RouteDriving _driving;
    private readonly double _originLatitude;
    private readonly double _originLongitude;
    private readonly double _metresPerDegreeLongitude;
    private readonly double[] _x;          // metres east of the origin, per waypoint
    private readonly double[] _y;          // metres north of the origin, per waypoint
    private readonly double[] _start;      // path distance at which each waypoint is reached
    private readonly double[] _cornerSpeed;

    private double _pathPosition;          // 0 .. Length
    private double _speed;
    private double _waitRemaining;         // seconds still to wait at a stop line
    private double _distance;
    private int _laps;

    /// <summary>Creates the model with the car at rest on the first waypoint.</summary>
    public RouteModel(GpsRoute route, RouteDriving? driving = null)
    {
        ArgumentNullException.ThrowIfNull(route);
        if (route.Waypoints.Count < 3)
        {
            throw new ArgumentException("a route loop needs at least three waypoints", nameof(route));
        }

        _route = route;
        _driving = driving ?? new RouteDriving();
        var n = route.Waypoints.Count;
        _originLatitude = route.Waypoints[0].Latitude;
        _originLongitude = route.Waypoints[0].Longitude;
        _metresPerDegreeLongitude = EarthRadiusMetres * Math.PI / 180 * Math.Cos(_originLatitude * Math.PI / 180);
        const double metresPerDegreeLatitude = EarthRadiusMetres * Math.PI / 180;

        _x = new double[n];
        _y = new double[n];
        for (var i = 0; i < n; i++)
        {
            _x[i] = (route.Waypoints[i].Longitude - _originLongitude) * _metresPerDegreeLongitude;
            _y[i] = (route.Waypoints[i].Latitude - _originLatitude) * metresPerDegreeLatitude;
        }

        _start = new double[n + 1];
        for (var i = 0; i < n; i++)
        {
            var j = (i + 1) % n;
            _start[i + 1] = _start[i] + Math.Sqrt(Square(_x[j] - _x[i]) + Square(_y[j] - _y[i]));
        }

        Length = _start[n];
        _cornerSpeed = new double[n];
        for (var i = 0; i < n; i++)
        {
            _cornerSpeed[i] = route.Waypoints[i].StopSeconds > 0 ? 0 : CornerSpeed(TurnAngleDegrees(i));
        }
    }

    /// <summary>Length of one lap in metres.</summary>
    public double Length { get; }

    /// <summary>The route being driven.</summary>
    public GpsRoute Route => _route;

    /// <summary>The car's state now.</summary>
    public RouteSample Current => Sample();

    /// <summary>The heading change (degrees, 0..180) at waypoint <paramref name="index"/>.</summary>
    public double TurnAngleDegrees(int index)
    {
        var n = _x.Length;
        var previous = (index + n - 1) % n;
        var next = (index + 1) % n;
        var inbound = Bearing(_x[index] - _x[previous], _y[index] - _y[previous]);
        var outbound = Bearing(_x[next] - _x[index], _y[next] - _y[index]);
        return Math.Abs(AngleDifference(inbound, outbound));
    }

    /// <summary>Moves the car on by <paramref name="elapsed"/> (in small integration steps) and returns where it is.</summary>
    public RouteSample Advance(TimeSpan elapsed)
    {
        var remaining = Math.Max(0, elapsed.TotalSeconds);
        while (remaining > 1e-9)
        {
            var h = Math.Min(StepSeconds, remaining);
            Step(h);
            remaining -= h;
        }

        return Sample();
    }

    private void Step(double h)
    {
        if (_waitRemaining > 0)
        {
            _waitRemaining -= h;
            return;
        }

        var target = Math.Min(_driving.CruiseSpeedMetresPerSecond, AllowedSpeed());
        if (_speed < target)
        {
            _speed = Math.Min(target, _speed + (_driving.AccelerationMetresPerSecondSquared * h));
        }
        else
        {
            // Planned braking stays at the comfortable rate; allow twice that before giving up on a corner.
            _speed = Math.Max(target, _speed - (2 * _driving.BrakingMetresPerSecondSquared * h));
        }

        var moved = _speed * h;
        var segment = SegmentAt(_pathPosition);
        var next = (segment + 1) % _x.Length;
        var toNext = _start[segment + 1] - _pathPosition;
        if (_route.Waypoints[next].StopSeconds > 0 && moved >= toNext)
        {
            // Halt exactly on the stop line and wait.
            moved = toNext;
            _speed = 0;
            _waitRemaining = _route.Waypoints[next].StopSeconds;
        }

        _distance += moved;
        _pathPosition += moved;
        while (_pathPosition >= Length)
        {
            _pathPosition -= Length;
            _laps++;
        }
    }

    /// <summary>Highest speed from which every corner ahead can still be reached at its corner speed.</summary>
    private double AllowedSpeed()
    {
        var n = _x.Length;
        var allowed = double.MaxValue;
        var segment = SegmentAt(_pathPosition);
        var ahead = _start[segment + 1] - _pathPosition;
        for (var k = 1; k <= n && ahead <= LookAheadMetres; k++)
        {
            var waypoint = (segment + k) % n;
            allowed = Math.Min(allowed, Math.Sqrt(Square(_cornerSpeed[waypoint]) + (2 * _driving.BrakingMetresPerSecondSquared * ahead)));

            var nextSegment = (segment + k) % n;
            ahead += _start[nextSegment + 1] - _start[nextSegment];
        }

        return allowed;
    }

    private double CornerSpeed(double turnDegrees)
    {
        if (turnDegrees < 1)
        {
            return _driving.CruiseSpeedMetresPerSecond;
        }

        // A junction turned through θ is driven on a radius of roughly 12 m / tan(θ/2).
        var radius = 12 / Math.Tan(turnDegrees * Math.PI / 360);
        var speed = Math.Sqrt(_driving.LateralAccelerationMetresPerSecondSquared * radius);
        return Math.Clamp(speed, _driving.MinimumCornerSpeedMetresPerSecond, _driving.CruiseSpeedMetresPerSecond);
    }

    private RouteSample Sample()
    {
        var (x, y, altitude) = PointAt(_pathPosition);
        var (xBack, yBack, _) = PointAt(_pathPosition - (CourseChordMetres / 2));
        var (xAhead, yAhead, _) = PointAt(_pathPosition + (CourseChordMetres / 2));
        var course = Bearing(xAhead - xBack, yAhead - yBack);
        var latitude = _originLatitude + (y / (EarthRadiusMetres * Math.PI / 180));
        var longitude = _originLongitude + (x / _metresPerDegreeLongitude);
        return new RouteSample(latitude, longitude, altitude, _speed, course, _distance, _laps);
    }

    private (double X, double Y, double Altitude) PointAt(double position)
    {
        position %= Length;
        if (position < 0)
        {
            position += Length;
        }

        var i = SegmentAt(position);
        var j = (i + 1) % _x.Length;
        var segmentLength = _start[i + 1] - _start[i];
        var t = segmentLength <= 0 ? 0 : (position - _start[i]) / segmentLength;
        var altitudeFrom = _route.Waypoints[i].AltitudeMetres;
        var altitudeTo = _route.Waypoints[j].AltitudeMetres;
        return (_x[i] + (t * (_x[j] - _x[i])), _y[i] + (t * (_y[j] - _y[i])), altitudeFrom + (t * (altitudeTo - altitudeFrom)));
    }

    private int SegmentAt(double position)
    {
        // Binary search of the waypoint start distances.
        var index = Array.BinarySearch(_start, 0, _x.Length, position);
        return index >= 0 ? index : (~index) - 1;
    }

    private static double Bearing(double dx, double dy)
    {
        var degrees = Math.Atan2(dx, dy) * 180 / Math.PI;
        return degrees < 0 ? degrees + 360 : degrees;
    }

    /// <summary>Signed smallest difference b - a in degrees, -180..180.</summary>
    internal static double AngleDifference(double a, double b)
    {
        var d = (b - a) % 360;
        if (d > 180)
        {
            d -= 360;
        }
        else if (d < -180)
        {
            d += 360;
        }

        return d;
    }

    private static double Square(double v) => v * v;
}
