using EdgeGateway.Devices.Gnss.Nmea;
using EdgeGateway.Transport;

namespace EdgeGateway.Devices.Gnss;

/// <summary>Everything the GNSS adapter counts; one instance per gateway, shared with the health contributor.</summary>
internal sealed class GnssCounters
{
    private long _fixes;
    private long _thinned;
    private long _forwarded;
    private long _refused;
    private long _invalidFields;
    private long _rolloverCorrections;
    private long _lastFixMode;
    private long _lastFixSatellites;
    private long _lastFixUnixMs;
    private long _lastSpeedBits = BitConverter.DoubleToInt64Bits(double.NaN);
    private GnssPosition? _lastPosition;

    public NmeaReaderCounters Nmea { get; } = new();

    public TransportCounters Transport { get; } = new();

    /// <summary>Fixes the merger completed.</summary>
    public long Fixes => Interlocked.Read(ref _fixes);

    /// <summary>Fixes dropped by the deadbands.</summary>
    public long Thinned => Interlocked.Read(ref _thinned);

    /// <summary>Fixes the sink accepted.</summary>
    public long Forwarded => Interlocked.Read(ref _forwarded);

    /// <summary>Fixes the sink refused (quota, store unavailable...; the sink counts why).</summary>
    public long Refused => Interlocked.Read(ref _refused);

    /// <summary>Checksum-valid sentences with unusable fields.</summary>
    public long InvalidFields => Interlocked.Read(ref _invalidFields);

    /// <summary>Receiver dates moved forward by 1024 weeks (GPS week-rollover bug).</summary>
    public long RolloverCorrections => Interlocked.Read(ref _rolloverCorrections);

    public void AddRolloverCorrections(long count) => Interlocked.Add(ref _rolloverCorrections, count);

    /// <summary>Mode of the latest fix as gpsd numbers it (0 unknown, 1 none, 2 2D, 3 3D).</summary>
    public long LastFixMode => Interlocked.Read(ref _lastFixMode);

    /// <summary>Satellites used in the latest fix.</summary>
    public long LastFixSatellites => Interlocked.Read(ref _lastFixSatellites);

    /// <summary>When the latest fix was completed (local clock, Unix milliseconds); 0 before the first.</summary>
    public long LastFixUnixMs => Interlocked.Read(ref _lastFixUnixMs);

    /// <summary>Counts a completed fix and remembers its mode, satellites and time for the health report.</summary>
    /// <summary>Speed over ground of the latest fix in m/s; NaN before the first fix or when the fix had none (in-car video speed trigger).</summary>
    public double LastSpeedMps => BitConverter.Int64BitsToDouble(Interlocked.Read(ref _lastSpeedBits));

    /// <summary>The latest fix's position, kept while later fixes have none (in-car video's depot geofence); null before the first.</summary>
    public GnssPosition? LastPosition => Volatile.Read(ref _lastPosition);

    public void CountFix(in GnssFix fix, DateTimeOffset at)
    {
        if (fix.HasPosition)
        {
            Volatile.Write(ref _lastPosition, new GnssPosition(fix.Latitude!.Value, fix.Longitude!.Value));
        }

        Interlocked.Increment(ref _fixes);
        Interlocked.Exchange(ref _lastSpeedBits, BitConverter.DoubleToInt64Bits(fix.SpeedMps ?? double.NaN));
        Interlocked.Exchange(ref _lastFixMode, GnssFixJson.ModeNumber(fix.Mode));
        Interlocked.Exchange(ref _lastFixSatellites, fix.SatellitesUsed);
        Interlocked.Exchange(ref _lastFixUnixMs, at.ToUnixTimeMilliseconds());
    }

    public void CountThinned() => Interlocked.Increment(ref _thinned);

    public void CountForwarded() => Interlocked.Increment(ref _forwarded);

    public void CountRefused() => Interlocked.Increment(ref _refused);

    public void AddInvalidFields(long count) => Interlocked.Add(ref _invalidFields, count);
}
