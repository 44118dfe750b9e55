using System.ComponentModel.DataAnnotations;
using System.Diagnostics.CodeAnalysis;
using System.Net;
using EdgeGateway.Hosting;

namespace EdgeGateway.Devices.InCarVideo.Recording.Bearers;

/// <summary>
/// How the vehicle knows it is at the depot, where clips that are not critical may upload (section <c>Video:Depot</c>).
/// Every condition configured must hold; with none configured the policy is off and every clip uploads over any link.
/// </summary>
[UnconditionalSuppressMessage("Trimming", "IL2026", Justification = OptionsValidation.KeptWhole)]
public sealed class DepotOptions
{
    /// <summary>
    /// The depot Wi-Fi / docking networks as CIDR prefixes (e.g. <c>10.40.0.0/16</c>): the vehicle is at the depot while
    /// the host's route to <c>Gateway:FleetControlUrl</c> leaves from an address inside one, so the upload itself goes
    /// over the depot network, not LTE.
    /// </summary>
    public string[] Networks { get; set; } = [];

    /// <summary>Depot yards as circles around a point; the vehicle is at the depot while its last GNSS position is inside one.</summary>
    public List<DepotGeofence> Geofences { get; set; } = [];

    /// <summary>How often the route and the position are checked.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:10:00", ErrorMessage = "Video:Depot:CheckInterval must be between 100 ms and 10 minutes.")]
    public TimeSpan CheckInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>True when some condition is configured (the bearer policy is on).</summary>
    public bool Configured => Networks.Length > 0 || Geofences.Count > 0;

    /// <summary>The problems with <see cref="Networks"/> and <see cref="Geofences"/>, each naming its setting.</summary>
    internal IEnumerable<string> Problems()
    {
        for (var i = 0; i < Networks.Length; i++)
        {
            if (!IPNetwork.TryParse(Networks[i], out _))
            {
                yield return $"Video:Depot:Networks:{i} '{Networks[i]}' is not a CIDR prefix such as 10.40.0.0/16.";
            }
        }

        for (var i = 0; i < Geofences.Count; i++)
        {
            var fence = Geofences[i];
            if (fence.Latitude is < -90 or > 90 || fence.Longitude is < -180 or > 180 || fence.RadiusMetres is <= 0 or > 100_000)
            {
                yield return $"Video:Depot:Geofences:{i} needs Latitude -90..90, Longitude -180..180 and RadiusMetres 1..100000.";
            }
        }
    }
}
