using System.Buffers;
using System.Text;

namespace EdgeGateway.Simulators.Gps;

/// <summary>
/// Drives a <see cref="RouteModel"/> and writes one NMEA epoch (RMC, VTG, GGA, GSA, GSV) per unit. With an
/// <see cref="GpsOutage"/> the receiver loses its fix periodically (a tunnel, a multi-storey car park): the
/// epochs keep coming, with status V / quality 0 and empty position fields.
/// </summary>
internal sealed class RouteSentenceSource(
    GpsRoute route,
    NmeaTalker talker = NmeaTalker.GP,
    RouteDriving? driving = null,
    GpsOutage? outage = null) : IGpsSentenceSource
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
        var fix = BuildFix(sample, utc);
        if (outage is not null && outage.IsWithout(simulatedElapsed))
        {
            fix = fix with { Quality = 0, SatellitesUsed = [], Hdop = 99.99, Pdop = 99.99, Vdop = 99.99 };
        }

        var sentences = NmeaWriter.Epoch(fix, talker);
        foreach (var sentence in sentences)
        {
            Encoding.ASCII.GetBytes(sentence, output);
        }

        unit = new GpsOutputUnit(sentences.Count, fix.IsValid ? 1 : 0);
        return true;
    }
}
