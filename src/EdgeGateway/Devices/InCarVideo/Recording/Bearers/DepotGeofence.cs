namespace EdgeGateway.Devices.InCarVideo.Recording.Bearers;

/// <summary>A depot yard: a circle of <see cref="RadiusMetres"/> around a point (WGS 84 degrees).</summary>
public sealed class DepotGeofence
{
    /// <summary>Degrees north.</summary>
    public double Latitude { get; set; }

    /// <summary>Degrees east.</summary>
    public double Longitude { get; set; }

    /// <summary>Radius of the yard in metres.</summary>
    public double RadiusMetres { get; set; } = 150;
}
