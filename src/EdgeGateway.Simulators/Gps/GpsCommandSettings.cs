using System.Net;
using EdgeGateway.Simulators.Cli;

namespace EdgeGateway.Simulators.Gps;

/// <summary>The <c>gps</c> command line, validated.</summary>
internal sealed record GpsCommandSettings
{
    /// <summary>Route driven when not replaying.</summary>
    public GpsRoute Route { get; init; } = GpsRoutes.Hertford;

    /// <summary>Capture to replay instead of driving a route.</summary>
    public string? ReplayFile { get; init; }

    /// <summary>Whether to create a pseudo-terminal.</summary>
    public bool Pty { get; init; }

    /// <summary>Symlink to the pseudo-terminal's slave.</summary>
    public string? PtyLink { get; init; }

    /// <summary>TCP endpoint to serve on.</summary>
    public IPEndPoint? Tcp { get; init; }

    /// <summary>Whether to copy the stream to stdout.</summary>
    public bool Stdout { get; init; }

    /// <summary>Units per second.</summary>
    public double Rate { get; init; } = 1;

    /// <summary>See <see cref="GpsSimulatorOptions.SpeedFactor"/>.</summary>
    public double SpeedFactor { get; init; } = 1;

    /// <summary>Stop after this many units.</summary>
    public long? Count { get; init; }

    /// <summary>Replay: stop at the end of the file.</summary>
    public bool Once { get; init; }

    /// <summary>Talker of generated sentences.</summary>
    public NmeaTalker Talker { get; init; } = NmeaTalker.GP;

    /// <summary>Periodic loss of fix (route only).</summary>
    public GpsOutage? Outage { get; init; }

    /// <summary>File to write the READY line to.</summary>
    public string? ReadyFile { get; init; }

    /// <summary>Interval of STATS lines; zero disables them.</summary>
    public TimeSpan StatsInterval { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Validates parsed arguments into settings.</summary>
    /// <exception cref="CliUsageException">An option is missing, malformed or contradicts another.</exception>
    public static GpsCommandSettings Parse(CliArguments args)
    {
        var routeName = args.GetString("--route");
        var replay = args.GetString("--replay");
        if (routeName is not null && replay is not null)
        {
            throw new CliUsageException("give either --route or --replay, not both");
        }

        var route = GpsRoutes.Hertford;
        if (routeName is not null)
        {
            route = GpsRoutes.Find(routeName)
                ?? throw new CliUsageException($"--route: unknown route '{routeName}' (known: {string.Join(", ", GpsRoutes.All.Select(r => r.Name))})");
        }

        if (replay is not null && !File.Exists(replay))
        {
            throw new CliUsageException($"--replay: file '{replay}' not found");
        }

        if (args.Has("--once") && replay is null)
        {
            throw new CliUsageException("--once applies to --replay only");
        }

        var talker = NmeaTalker.GP;
        if (args.GetString("--talker") is { } talkerText)
        {
            talker = talkerText.ToUpperInvariant() switch
            {
                "GP" => NmeaTalker.GP,
                "GN" => NmeaTalker.GN,
                _ => throw new CliUsageException($"--talker: '{talkerText}' is not GP or GN"),
            };
        }

        IPEndPoint? tcp = null;
        if (args.GetString("--tcp") is { } tcpText)
        {
            if (!IPEndPoint.TryParse(tcpText, out tcp) || tcpText.LastIndexOf(':') < 0)
            {
                throw new CliUsageException($"--tcp: '{tcpText}' is not HOST:PORT with a numeric address (e.g. 127.0.0.1:10110, [::1]:0)");
            }
        }

        GpsOutage? outage = null;
        if (args.Has("--outage-every") || args.Has("--outage-for"))
        {
            if (replay is not null)
            {
                throw new CliUsageException("--outage-every/--outage-for apply to --route only");
            }

            var every = args.GetDouble("--outage-every", double.NaN, 1, 86_400);
            var without = args.GetDouble("--outage-for", double.NaN, 0.001, 86_400);
            if (double.IsNaN(every) || double.IsNaN(without))
            {
                throw new CliUsageException("give both --outage-every and --outage-for");
            }

            if (without >= every)
            {
                throw new CliUsageException("--outage-for must be shorter than --outage-every");
            }

            outage = new GpsOutage(TimeSpan.FromSeconds(every), TimeSpan.FromSeconds(without));
        }

        var ptyLink = args.GetString("--pty-link");
        var settings = new GpsCommandSettings
        {
            Route = route,
            ReplayFile = replay,
            Pty = args.Has("--pty") || ptyLink is not null,
            PtyLink = ptyLink is null ? null : Path.GetFullPath(ptyLink),
            Tcp = tcp,
            Stdout = args.Has("--stdout"),
            Rate = args.GetDouble("--rate", replay is null ? 1 : 10, 0.001, 100_000),
            SpeedFactor = args.GetDouble("--speed-factor", 1, 0.001, 10_000),
            Count = args.GetInt64("--count", 1, long.MaxValue),
            Once = args.Has("--once"),
            Talker = talker,
            Outage = outage,
            ReadyFile = args.GetString("--ready-file"),
            StatsInterval = TimeSpan.FromSeconds(args.GetDouble("--stats-interval", 10, 0, 86_400)),
        };

        if (!settings.Pty && settings.Tcp is null && !settings.Stdout)
        {
            throw new CliUsageException("no output: give --pty, --pty-link PATH, --tcp HOST:PORT and/or --stdout");
        }

        return settings;
    }
}
