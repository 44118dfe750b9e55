using System.Globalization;
using System.Net;

namespace EdgeGateway.Simulators.Gps;

/// <summary>
/// The line the <c>gps</c> command prints once its outputs are open:
/// <c>READY pty=/dev/pts/5 link=/tmp/edge-gps0 tcp=127.0.0.1:10110</c> — keys only for enabled outputs,
/// in that order, separated by single spaces. Launchers parse it with <see cref="TryParse"/>.
/// </summary>
/// <param name="Pty">Slave device of the pseudo-terminal.</param>
/// <param name="Link">Symlink to the slave.</param>
/// <param name="Tcp">Where the TCP output listens.</param>
internal sealed record GpsReadyLine(string? Pty, string? Link, IPEndPoint? Tcp)
{
    /// <summary>The prefix of the line.</summary>
    public const string Prefix = "READY";

    /// <summary>Formats the line.</summary>
    public override string ToString()
    {
        var parts = new List<string> { Prefix };
        if (Pty is not null)
        {
            parts.Add($"pty={Pty}");
        }

        if (Link is not null)
        {
            parts.Add($"link={Link}");
        }

        if (Tcp is not null)
        {
            // IPEndPoint.ToString brackets IPv6 ([::1]:10110), which IPEndPoint.Parse reads back.
            parts.Add(string.Create(CultureInfo.InvariantCulture, $"tcp={Tcp}"));
        }

        return string.Join(' ', parts);
    }

    /// <summary>Parses a READY line; false for any other line (logs, build output).</summary>
    public static bool TryParse(string? line, out GpsReadyLine ready)
    {
        ready = new GpsReadyLine(null, null, null);
        if (line is null)
        {
            return false;
        }

        var parts = line.Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length == 0 || parts[0] != Prefix)
        {
            return false;
        }

        foreach (var part in parts.Skip(1))
        {
            var equals = part.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                return false;
            }

            var value = part[(equals + 1)..];
            switch (part[..equals])
            {
                case "pty":
                    ready = ready with { Pty = value };
                    break;
                case "link":
                    ready = ready with { Link = value };
                    break;
                case "tcp" when IPEndPoint.TryParse(value, out var endPoint):
                    ready = ready with { Tcp = endPoint };
                    break;
                default:
                    break;   // unknown keys are allowed, so the line can grow
            }
        }

        return true;
    }
}
