using System.Net;
using System.Net.Sockets;
using EdgeGateway.Devices.Gnss;
using EdgeGateway.Hosting;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EdgeGateway.Devices.InCarVideo.Recording.Bearers;

/// <summary>
/// Whether the vehicle is at the depot (<see cref="DepotOptions"/>), checked every <see cref="DepotOptions.CheckInterval"/>:
/// the host's route to FleetControl leaves from an address in a depot network (asked of the kernel by connecting a UDP
/// socket, which sends nothing), and/or the last GNSS position is inside a depot geofence (the last one known: a
/// vehicle parked indoors keeps its last fix). Every condition configured must hold. Changes are logged and raised.
/// </summary>
internal sealed class DepotDetector(
    IOptions<VideoOptions> options,
    IOptions<GatewayOptions> gateway,
    VideoCounters counters,
    TimeProvider time,
    ILogger<DepotDetector> logger,
    GnssCounters? gnss = null) : BackgroundService
{
    private readonly DepotOptions _options = options.Value.Depot;
    private readonly IPNetwork[] _networks = [.. options.Value.Depot.Networks
        .Select(n => IPNetwork.TryParse(n, out var network) ? network : (IPNetwork?)null)
        .OfType<IPNetwork>()]; // a bad prefix stops the gateway at start-up (VideoOptions.Validate), never here
    private volatile bool _atDepot;
    private volatile bool _checked;

    /// <summary>True while every configured depot condition holds (false until the first check).</summary>
    public bool AtDepot => _atDepot;

    /// <summary>True once the first check is done (its change, if any, already raised): until then "not at the depot" is not known yet.</summary>
    public bool Checked => _checked || !Configured;

    /// <summary>Whether the policy is on at all (some depot condition is configured).</summary>
    public bool Configured => _options.Configured;

    /// <summary>Raised when <see cref="AtDepot"/> changes, on the checking thread.</summary>
    public event Action<bool>? Changed;

    /// <summary>Checks now (also called by the loop); returns <see cref="AtDepot"/>.</summary>
    public async Task<bool> CheckAsync(CancellationToken cancellationToken)
    {
        if (!Configured)
        {
            return false;
        }

        var reasons = new List<string>();
        var at = true;
        if (_networks.Length > 0)
        {
            var local = await RouteSourceAsync(gateway.Value.FleetControlUrl, cancellationToken).ConfigureAwait(false);
            var inside = local is not null && _networks.Any(n => n.Contains(local.IsIPv4MappedToIPv6 ? local.MapToIPv4() : local));
            at &= inside;
            reasons.Add(local is null ? "no route to FleetControl" : $"route to FleetControl from {local}{(inside ? " (depot network)" : " (not a depot network)")}");
        }

        if (_options.Geofences.Count > 0)
        {
            var position = gnss?.LastPosition;
            var inside = position is not null && _options.Geofences.Any(f => GeoMath.DistanceMetres(position.Latitude, position.Longitude, f.Latitude, f.Longitude) <= f.RadiusMetres);
            at &= inside;
            reasons.Add(position is null ? "no GNSS position yet" : inside ? "inside a depot geofence" : "outside every depot geofence");
        }

        if (at != _atDepot)
        {
            _atDepot = at;
            counters.AtDepot(at);
            Log.DepotChanged(logger, at, string.Join("; ", reasons));
            Changed?.Invoke(at);
        }

        _checked = true;
        return at;
    }

    /// <summary>The local address the kernel would send from to reach <paramref name="url"/>'s host; null when there is no route.</summary>
    internal static async Task<IPAddress?> RouteSourceAsync(string url, CancellationToken cancellationToken)
    {
        try
        {
            var uri = new Uri(url);
            var addresses = IPAddress.TryParse(uri.Host.Trim('[', ']'), out var literal)
                ? [literal]
                : await Dns.GetHostAddressesAsync(uri.DnsSafeHost, cancellationToken).WaitAsync(TimeSpan.FromSeconds(5), cancellationToken).ConfigureAwait(false);
            foreach (var address in addresses)
            {
                try
                {
                    using var socket = new Socket(address.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
                    socket.Connect(new IPEndPoint(address, uri.Port > 0 ? uri.Port : 443)); // a route lookup: UDP connect sends nothing
                    return ((IPEndPoint)socket.LocalEndPoint!).Address;
                }
                catch (SocketException)
                {
                    // No route for this address (e.g. IPv6 without an IPv6 link); try the next.
                }
            }
        }
        catch (Exception e) when (e is SocketException or TimeoutException or UriFormatException or ArgumentException)
        {
        }

        return null;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!Configured)
        {
            Log.DepotNotConfigured(logger);
            return;
        }

        await Task.Yield();
        using var timer = new PeriodicTimer(_options.CheckInterval, time);
        try
        {
            do
            {
                await CheckAsync(stoppingToken).ConfigureAwait(false);
            }
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}
