using System.Globalization;
using System.Text.Json;
using EdgeGateway.Contracts.V1;
using EdgeGateway.Hosting;
using Google.Protobuf;
using Microsoft.Extensions.Configuration;

namespace EdgeGateway.Health;

/// <summary>
/// <c>health [--data DIR] [--json] [--stale-after DURATION]</c>: reads the running gateway's local health
/// file and prints a readable summary (or the file itself with <c>--json</c>). The exit code tells scripts
/// and installers whether the gateway is well: see <see cref="ExitHealthy"/> and its siblings.
/// </summary>
internal static class HealthCommand
{
    /// <summary>Fresh report, link connected, store durable.</summary>
    public const int ExitHealthy = 0;

    /// <summary>No readable health file: the gateway is not running on that data directory, or never wrote one.</summary>
    public const int ExitNoReport = 1;

    /// <summary>The command line is wrong.</summary>
    public const int ExitUsage = 2;

    /// <summary>The file is older than the stale limit: the gateway is stopped or wedged.</summary>
    public const int ExitStale = 3;

    /// <summary>Fresh, but the link is not connected or the store is degraded (quarantined at start-up).</summary>
    public const int ExitDegraded = 4;

    private const string Usage = "Usage: health [--data DIR] [--json] [--stale-after hh:mm:ss] [--Section:Key=value ...]";

    private static readonly JsonParser Parser = new(JsonParser.Settings.Default.WithIgnoreUnknownFields(true));

    public static Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, CancellationToken cancellationToken) =>
        RunAsync(args, output, error, TimeProvider.System, cancellationToken);

    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, TimeProvider time, CancellationToken cancellationToken)
    {
        string? dataDirectory = null;
        TimeSpan? staleAfter = null;
        var json = false;
        var overrides = new List<string>();
        for (var i = 0; i < args.Length; i++)
        {
            if (args[i] == "--data" && i + 1 < args.Length)
            {
                dataDirectory = args[++i];
            }
            else if (args[i] == "--stale-after" && i + 1 < args.Length && TimeSpan.TryParse(args[i + 1], CultureInfo.InvariantCulture, out var stale) && stale > TimeSpan.Zero)
            {
                staleAfter = stale;
                i++;
            }
            else if (args[i] == "--json")
            {
                json = true;
            }
            else if (args[i].StartsWith("--", StringComparison.Ordinal) && args[i].Contains(':', StringComparison.Ordinal) && args[i].Contains('=', StringComparison.Ordinal))
            {
                overrides.Add(args[i]); // configuration, as on the service's command line
            }
            else
            {
                await error.WriteLineAsync($"health: unexpected argument '{args[i]}'. {Usage}").ConfigureAwait(false);
                return ExitUsage;
            }
        }

        // The same layers as the service (shipped profile, /etc/edgegateway, environment), so it finds the same folder.
        var configuration = GatewayHost.ReadConfiguration([.. overrides]);
        dataDirectory ??= configuration[$"{GatewayOptions.SectionName}:{nameof(GatewayOptions.DataDirectory)}"];
        if (string.IsNullOrWhiteSpace(dataDirectory))
        {
            dataDirectory = new GatewayOptions().DataDirectory;
        }

        // Three missed rewrites mean the writer has stopped.
        staleAfter ??= 3 * (configuration.GetSection(HealthOptions.SectionName).Get<HealthOptions>() ?? new HealthOptions()).FileInterval;

        var path = HealthFile.PathIn(dataDirectory);
        string text;
        try
        {
            text = await File.ReadAllTextAsync(path, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            await error.WriteLineAsync(
                $"health: no health file at {path}. Is the gateway running with Gateway:DataDirectory = {dataDirectory}? " +
                "Point at its data directory with --data DIR.").ConfigureAwait(false);
            return ExitNoReport;
        }

        if (!TryParse(text, out var snapshot))
        {
            await error.WriteLineAsync($"health: {path} is not a health file this version can read.").ConfigureAwait(false);
            return ExitNoReport;
        }

        if (json)
        {
            await output.WriteAsync(text).ConfigureAwait(false);
        }
        else
        {
            await output.WriteAsync(Summarise(snapshot, time.GetUtcNow())).ConfigureAwait(false);
        }

        var age = time.GetUtcNow() - snapshot.WrittenAt;
        if (age > staleAfter)
        {
            await error.WriteLineAsync($"health: STALE: the report is {Age(age)} old (limit {Age(staleAfter.Value)}); is the gateway running?").ConfigureAwait(false);
            return ExitStale;
        }

        var report = snapshot.Report;
        if (report.LinkState != LinkState.Connected || report.Durability == DurabilityState.Degraded)
        {
            await error.WriteLineAsync($"health: DEGRADED: link {Name(report.LinkState)}, durability {Name(report.Durability)}").ConfigureAwait(false);
            return ExitDegraded;
        }

        return ExitHealthy;
    }

    private static bool TryParse(string text, out HealthSnapshot snapshot)
    {
        snapshot = default;
        try
        {
            using var document = JsonDocument.Parse(text);
            var root = document.RootElement;
            var writtenAt = DateTimeOffset.Parse(root.GetProperty("writtenAt").GetString() ?? string.Empty, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);
            var report = Parser.Parse<HealthReport>(root.GetProperty("report").GetRawText());
            snapshot = new HealthSnapshot(
                root.TryGetProperty("deviceId", out var id) ? id.GetString() ?? "?" : "?",
                root.TryGetProperty("role", out var role) ? role.GetString() ?? "?" : "?",
                writtenAt,
                report);
            return true;
        }
        catch (Exception e) when (e is JsonException or FormatException or KeyNotFoundException or InvalidOperationException or InvalidProtocolBufferException)
        {
            return false;
        }
    }

    /// <summary>The readable summary: identity and age, link and durability, backlog per class, GNSS, last contact.</summary>
    internal static string Summarise(HealthSnapshot snapshot, DateTimeOffset now)
    {
        var report = snapshot.Report;
        var c = report.Counters;
        var text = new System.Text.StringBuilder();
        var inv = CultureInfo.InvariantCulture;
        text.AppendLine(inv, $"{snapshot.DeviceId} ({snapshot.Role}), software {report.SoftwareVersion}, report written {Age(now - snapshot.WrittenAt)} ago");
        text.AppendLine(inv, $"link {Name(report.LinkState)}   durability {Name(report.Durability)}   free disk {Bytes(report.FreeDiskBytes)}");
        text.AppendLine(inv, $"accepted {report.AcceptedTotal}   acknowledged {report.AcknowledgedTotal}");
        text.AppendLine("class        backlog      bytes   oldest unsent");
        foreach (var queue in report.Queues)
        {
            var oldest = queue.Depth == 0 ? "-" : Age(TimeSpan.FromMilliseconds(queue.OldestUnsentAgeMs));
            text.AppendLine(inv, $"{Name(queue.Priority),-10} {queue.Depth,9} {Bytes(queue.Bytes),10}   {oldest}");
        }

        if (c.TryGetValue("gnss.last_fix_unix_ms", out var fixAt) && fixAt > 0)
        {
            var mode = c.GetValueOrDefault("gnss.last_fix_mode") switch { 2 => "2D", 3 => "3D", _ => "no fix" };
            text.AppendLine(inv, $"GNSS {mode}, {c.GetValueOrDefault("gnss.last_fix_satellites")} satellites, last fix {Age(now - DateTimeOffset.FromUnixTimeMilliseconds((long)fixAt))} ago");
        }
        else if (c.ContainsKey("gnss.fixes"))
        {
            text.AppendLine("GNSS no fix yet");
        }

        if (c.TryGetValue("uplink.last_connected_unix_seconds", out var connectedAt) && connectedAt > 0)
        {
            text.AppendLine(inv, $"FleetControl last connected {Age(now - DateTimeOffset.FromUnixTimeSeconds((long)connectedAt))} ago, {c.GetValueOrDefault("uplink.acknowledged")} acknowledged since start");
        }
        else
        {
            text.AppendLine("FleetControl not reached since start");
        }

        foreach (var drop in report.Drops.Where(d => d.Count > 0))
        {
            text.AppendLine(inv, $"dropped: {drop.Count} {Name(drop.Priority)} ({drop.Reason})");
        }

        return text.ToString();
    }

    private static string Name<T>(T value) where T : struct, Enum
    {
        // LinkState.Connected prints as CONNECTED, PriorityClass.Telemetry as Telemetry.
        var name = value.ToString();
        return typeof(T) == typeof(PriorityClass) ? name : name.ToUpperInvariant();
    }

    private static string Age(TimeSpan age)
    {
        if (age < TimeSpan.Zero)
        {
            age = TimeSpan.Zero;
        }

        var inv = CultureInfo.InvariantCulture;
        return age.TotalSeconds < 120 ? string.Create(inv, $"{age.TotalSeconds:0} s")
            : age.TotalMinutes < 120 ? string.Create(inv, $"{age.TotalMinutes:0} min")
            : age.TotalHours < 48 ? string.Create(inv, $"{age.TotalHours:0.0} h")
            : string.Create(inv, $"{age.TotalDays:0.0} d");
    }

    private static string Bytes(ulong bytes) =>
        bytes >= 1UL << 30 ? string.Create(CultureInfo.InvariantCulture, $"{bytes / (double)(1UL << 30):0.0} GiB")
        : bytes >= 1UL << 20 ? string.Create(CultureInfo.InvariantCulture, $"{bytes / (double)(1UL << 20):0.0} MiB")
        : bytes >= 1UL << 10 ? string.Create(CultureInfo.InvariantCulture, $"{bytes / 1024.0:0.0} KiB")
        : string.Create(CultureInfo.InvariantCulture, $"{bytes} B");

    /// <summary>What the health file says, parsed.</summary>
    internal readonly record struct HealthSnapshot(string DeviceId, string Role, DateTimeOffset WrittenAt, HealthReport Report);
}
