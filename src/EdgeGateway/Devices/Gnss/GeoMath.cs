namespace EdgeGateway.Devices.Gnss;

/// <summary>Small spherical-earth helpers for thinning and derived speed (sub-percent error is fine here).</summary>
internal static class GeoMath
{
    private const double EarthRadiusMetres = 6_371_008.8;

    /// <summary>Great-circle distance in metres (haversine).</summary>
    public static double DistanceMetres(double lat1, double lon1, double lat2, double lon2)
    {
        var phi1 = double.DegreesToRadians(lat1);
        var phi2 = double.DegreesToRadians(lat2);
        var dPhi = phi2 - phi1;
        var dLambda = double.DegreesToRadians(lon2 - lon1);
        var a = (Math.Sin(dPhi / 2) * Math.Sin(dPhi / 2))
            + (Math.Cos(phi1) * Math.Cos(phi2) * Math.Sin(dLambda / 2) * Math.Sin(dLambda / 2));
        return 2 * EarthRadiusMetres * Math.Asin(Math.Min(1.0, Math.Sqrt(a)));
    }

    /// <summary>Smallest absolute difference between two headings, 0..180 degrees.</summary>
    public static double HeadingDifference(double a, double b)
    {
        var d = Math.Abs(a - b) % 360.0;
        return d > 180.0 ? 360.0 - d : d;
    }
}
