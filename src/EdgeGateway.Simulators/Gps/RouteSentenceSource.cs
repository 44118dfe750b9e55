using System.Buffers;
using System.Text;

namespace EdgeGateway.Simulators.Gps;

/// <summary>Drives a <see cref="RouteModel"/> and writes one NMEA epoch (RMC, VTG, GGA, GSA, GSV) per unit.</summary>
internal sealed class RouteSentenceSource(GpsRoute route, NmeaTalker talker = NmeaTalker.GP, RouteDriving? driving = null) : IGpsSentenceSource
{
    private readonly RouteModel _model = new(route, driving);
    private TimeSpan _modelElapsed;

    /// <inheritdoc />
    public string Description => $"route:{route.Name}";

    /// <summary>The underlying car model.</summary>
    public RouteModel Model => _model;

    /// <summary>Builds the fix the receiver would report at <paramref name="utc"/> for a car state.</summary>
    public static GpsFix BuildFix(RouteSample sample, DateTimeOffset utc)
    {
        var inView = SatelliteSky.InView(utc);
        var used = SatelliteSky.Used(inView);
        var hdop = SatelliteSky.Hdop(used.Count);
        return new GpsFix
        {
            UtcTime = utc,
            Latitude = sample.Latitude,
            Longitude = sample.Longitude,
            AltitudeMetres = sample.AltitudeMetres,
            SpeedMetresPerSecond = sample.SpeedMetresPerSecond,
            CourseDegrees = sample.CourseDegrees,
            SatellitesUsed = used,
            SatellitesInView = inView,
            Hdop = hdop,
            Pdop = Math.Round(hdop * 1.7, 2),
            Vdop = Math.Round(hdop * 1.4, 2),
        };
    }

    /// <inheritdoc />
    public bool TryWriteNext(DateTimeOffset utc, TimeSpan simulatedElapsed, IBufferWriter<byte> output, out GpsOutputUnit unit)
    {
        var sample = _model.Advance(simulatedElapsed - _modelElapsed);
        _modelElapsed = simulatedElapsed;
        var sentences = NmeaWriter.Epoch(BuildFix(sample, utc), talker);
        foreach (var sentence in sentences)
        {
            Encoding.ASCII.GetBytes(sentence, output);
        }

        unit = new GpsOutputUnit(sentences.Count, 1);
        return true;
    }
}
