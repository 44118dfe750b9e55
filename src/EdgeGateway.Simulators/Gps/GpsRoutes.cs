namespace EdgeGateway.Simulators.Gps;

/// <summary>
/// Built-in routes: loops along real town-centre roads. Waypoints follow the road centre line closely
/// enough for a patrol-car track (tens of metres), not for survey work.
/// </summary>
internal static class GpsRoutes
{
    /// <summary>
    /// Hertford (Hertfordshire), clockwise: Parliament Square, Fore Street, Railway Street, Hertford East,
    /// Mill Road, the A414 Gascoyne Way west to the Hertingfordbury Road roundabout, back by West Street
    /// and Castle Street. About 2.5 km, clockwise.
    /// </summary>
    public static GpsRoute Hertford { get; } = new(
        "hertford",
        "Hertford town centre loop (Fore St, Railway St, Mill Rd, Gascoyne Way, Castle St), ~2.5 km",
        [
            new(51.79560, -0.07880, 41),   // Parliament Square
            new(51.79585, -0.07760, 40),   // Fore Street
            new(51.79610, -0.07640, 40),   // Fore Street by the Corn Exchange
            new(51.79640, -0.07520, 39, 12), // Fore Street / Railway Street: lights
            new(51.79700, -0.07450, 39),   // Railway Street
            new(51.79780, -0.07370, 38),   // Railway Street north
            new(51.79870, -0.07300, 38),   // Hertford East station
            new(51.79820, -0.07200, 38),   // Mill Road
            new(51.79700, -0.07130, 39),   // Mill Road south
            new(51.79560, -0.07090, 40, 4),  // Mill Road / London Road roundabout: give way
            new(51.79500, -0.07200, 41),   // Gascoyne Way
            new(51.79450, -0.07400, 42),   // Gascoyne Way
            new(51.79420, -0.07650, 43),   // Gascoyne Way by Bircherley Green
            new(51.79400, -0.07900, 44),   // Gascoyne Way / Castle Street
            new(51.79380, -0.08200, 45),   // Gascoyne Way west
            new(51.79370, -0.08520, 46, 5),  // Hertingfordbury Road roundabout: give way
            new(51.79440, -0.08480, 46),   // West Street
            new(51.79480, -0.08250, 45),   // West Street east
            new(51.79500, -0.08050, 43),   // Castle Street
            new(51.79530, -0.07950, 42),   // Castle Street / The Wash
        ]);

    /// <summary>
    /// Bedford (Bedfordshire), anticlockwise: St Paul's Square, the High Street, The Embankment along the
    /// Great Ouse, Newnham Road, The Broadway and Harpur Street. About 2.4 km.
    /// </summary>
    public static GpsRoute Bedford { get; } = new(
        "bedford",
        "Bedford town centre loop (High St, The Embankment, Newnham Rd, The Broadway, Harpur St), ~2.4 km",
        [
            new(52.13570, -0.46790, 29),   // St Paul's Square
            new(52.13490, -0.46590, 28, 15), // High Street at Town Bridge: lights
            new(52.13450, -0.46350, 28),   // The Embankment
            new(52.13440, -0.46000, 28),   // The Embankment east
            new(52.13450, -0.45650, 28, 10), // The Embankment / Newnham Road: lights
            new(52.13620, -0.45560, 30),   // Newnham Road
            new(52.13800, -0.45700, 31),   // Newnham Road north
            new(52.13930, -0.45950, 32),   // The Broadway approach
            new(52.13990, -0.46400, 33),   // The Broadway
            new(52.13960, -0.46700, 32),   // Harpur Street north
            new(52.13820, -0.46750, 31),   // Harpur Street
            new(52.13690, -0.46770, 30),   // Silver Street
        ]);

    /// <summary>All built-in routes, by name.</summary>
    public static IReadOnlyList<GpsRoute> All { get; } = [Hertford, Bedford];

    /// <summary>Finds a built-in route by name (case-insensitive).</summary>
    public static GpsRoute? Find(string name) =>
        All.FirstOrDefault(r => string.Equals(r.Name, name, StringComparison.OrdinalIgnoreCase));
}
