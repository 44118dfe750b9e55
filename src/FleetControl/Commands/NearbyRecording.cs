using FleetControl.Store;

namespace FleetControl.Commands;

/// <summary>
/// Group recording of nearby vehicles: <c>start-recording</c> sent to every vehicle whose last stored position is
/// within a radius of one vehicle's last stored position (that vehicle included, at 0 m). Positions are FleetControl's
/// own (the newest fix each device reported); a vehicle that never reported one is not a candidate.
/// </summary>
internal static class NearbyRecording
{
    /// <summary>Largest radius accepted (metres).</summary>
    public const double MaxRadiusMetres = 100_000;

    private const double EarthRadiusMetres = 6_371_008.8; // mean radius (IUGG)

    /// <summary>Great-circle distance in metres (haversine), accurate to well under a metre at these ranges.</summary>
    public static double DistanceMetres(double lat1, double lon1, double lat2, double lon2)
    {
        static double Radians(double degrees) => degrees * Math.PI / 180;
        var dLat = Radians(lat2 - lat1);
        var dLon = Radians(lon2 - lon1);
        var a = (Math.Sin(dLat / 2) * Math.Sin(dLat / 2)) +
                (Math.Cos(Radians(lat1)) * Math.Cos(Radians(lat2)) * Math.Sin(dLon / 2) * Math.Sin(dLon / 2));
        return 2 * EarthRadiusMetres * Math.Asin(Math.Min(1, Math.Sqrt(a)));
    }

    /// <summary>The vehicles (role <c>Vehicle</c>, with a stored position) within <paramref name="radiusMetres"/> of <paramref name="centre"/>, nearest first.</summary>
    public static IReadOnlyList<(DeviceRecord Device, double DistanceMetres)> Select(IEnumerable<DeviceRecord> devices, PositionRecord centre, double radiusMetres) =>
        devices
            .Where(d => d.LastPosition is not null && d.Role.Equals("Vehicle", StringComparison.OrdinalIgnoreCase))
            .Select(d => (Device: d, DistanceMetres: DistanceMetres(centre.Latitude, centre.Longitude, d.LastPosition!.Latitude, d.LastPosition.Longitude)))
            .Where(x => x.DistanceMetres <= radiusMetres)
            .OrderBy(x => x.DistanceMetres)
            .ThenBy(x => x.Device.DeviceId, StringComparer.Ordinal)
            .ToList();
}

/// <summary>POST /api/devices/{id}/commands/nearby body.</summary>
/// <param name="RadiusMetres">Vehicles within this many metres of the device's last position (1-100000).</param>
/// <param name="Type">Only <c>start-recording</c> (the default).</param>
/// <param name="Reason">Why (in the clips' custody), as for a single start-recording.</param>
/// <param name="TimeToLiveSeconds">How long each command may wait for its vehicle.</param>
internal sealed record NearbyCommandRequest(double? RadiusMetres, string? Type = null, string? Reason = null, int? TimeToLiveSeconds = null);

/// <summary>One vehicle a nearby command went to.</summary>
internal sealed record NearbyTargetDto(string DeviceId, double DistanceMetres, DateTimeOffset PositionTime, double Lat, double Lon, CommandDto Command);

/// <summary>The answer to a nearby command: the centre used and one command per vehicle, nearest first.</summary>
internal sealed record NearbyCommandDto(string DeviceId, double Lat, double Lon, DateTimeOffset PositionTime, double RadiusMetres, IReadOnlyList<NearbyTargetDto> Targets);
