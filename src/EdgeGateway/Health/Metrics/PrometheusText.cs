using System.Diagnostics;
using System.Globalization;
using System.Text;
using EdgeGateway.Contracts.V1;

namespace EdgeGateway.Health.Metrics;

/// <summary>
/// Renders a fresh <see cref="HealthReport"/> (the same one FleetControl receives over MQTT) and the process's
/// runtime figures in the Prometheus text exposition format (version 0.0.4). Built on request only, so an
/// unscraped gateway pays nothing; every counter a health contributor adds appears without code here.
/// </summary>
internal static class PrometheusText
{
    /// <summary>The Content-Type of the response.</summary>
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    public static string Render(HealthReport report, DateTimeOffset now)
    {
        var text = new StringBuilder(4096);
        Metric(text, "edgegateway_info", "gauge", "Software version", [($"{{version=\"{Escape(report.SoftwareVersion)}\"}}", 1)]);
        Metric(text, "edgegateway_link_state", "gauge", "Uplink state: 1 for the current state",
            Enum.GetValues<LinkState>().Where(s => s != LinkState.Unspecified).Select(s => (Label("state", Name(s)), report.LinkState == s ? 1d : 0d)));
        Metric(text, "edgegateway_durability_state", "gauge", "Store durability: 1 for the current state",
            Enum.GetValues<DurabilityState>().Where(s => s != DurabilityState.Unspecified).Select(s => (Label("state", Name(s)), report.Durability == s ? 1d : 0d)));
        Metric(text, "edgegateway_backlog_messages", "gauge", "Messages waiting in the outbox, per priority class",
            report.Queues.Select(q => (Label("class", Name(q.Priority)), (double)q.Depth)));
        Metric(text, "edgegateway_backlog_bytes", "gauge", "Bytes waiting in the outbox, per priority class",
            report.Queues.Select(q => (Label("class", Name(q.Priority)), (double)q.Bytes)));
        Metric(text, "edgegateway_oldest_unsent_age_seconds", "gauge", "Age of the oldest unsent message, per priority class (0 when empty)",
            report.Queues.Select(q => (Label("class", Name(q.Priority)), q.OldestUnsentAgeMs / 1000d)));
        Metric(text, "edgegateway_dropped_messages_total", "counter", "Messages dropped (expired, evicted, refused, thinned), per class and reason",
            report.Drops.Select(d => ($"{{class=\"{Name(d.Priority)}\",reason=\"{Escape(d.Reason)}\"}}", (double)d.Count)));
        Metric(text, "edgegateway_accepted_messages_total", "counter", "Messages accepted into the outbox", [(string.Empty, report.AcceptedTotal)]);
        Metric(text, "edgegateway_acknowledged_messages_total", "counter", "Messages FleetControl confirmed it stored (rate() of this is the drain rate)", [(string.Empty, report.AcknowledgedTotal)]);
        Metric(text, "edgegateway_free_disk_bytes", "gauge", "Free space on the data directory's file system", [(string.Empty, report.FreeDiskBytes)]);
        foreach (var (key, value) in report.Counters.OrderBy(c => c.Key, StringComparer.Ordinal))
        {
            // Contributors' own figures (GNSS fix and satellites, evidence queue, uplink counters, ...).
            Metric(text, "edgegateway_" + Sanitise(key), "untyped", $"Health report counter '{key}'", [(string.Empty, value)]);
        }

        Runtime(text, now);
        return text.ToString();
    }

    private static void Runtime(StringBuilder text, DateTimeOffset now)
    {
        using var process = Process.GetCurrentProcess();
        Metric(text, "process_cpu_seconds_total", "counter", "User and system CPU time", [(string.Empty, process.TotalProcessorTime.TotalSeconds)]);
        Metric(text, "process_resident_memory_bytes", "gauge", "Resident set size", [(string.Empty, process.WorkingSet64)]);
        Metric(text, "process_start_time_seconds", "gauge", "Start time, seconds since the Unix epoch", [(string.Empty, new DateTimeOffset(process.StartTime.ToUniversalTime()).ToUnixTimeMilliseconds() / 1000d)]);
        Metric(text, "process_uptime_seconds", "gauge", "Seconds since the process started", [(string.Empty, (now - new DateTimeOffset(process.StartTime.ToUniversalTime())).TotalSeconds)]);
        Metric(text, "dotnet_gc_heap_bytes", "gauge", "Managed heap size", [(string.Empty, GC.GetTotalMemory(forceFullCollection: false))]);
        Metric(text, "dotnet_gc_collections_total", "counter", "Garbage collections, per generation",
            Enumerable.Range(0, GC.MaxGeneration + 1).Select(g => (Label("generation", g.ToString(CultureInfo.InvariantCulture)), (double)GC.CollectionCount(g))));
        Metric(text, "dotnet_thread_pool_threads", "gauge", "Thread-pool threads", [(string.Empty, ThreadPool.ThreadCount)]);
    }

    private static void Metric(StringBuilder text, string name, string type, string help, IEnumerable<(string Labels, double Value)> samples)
    {
        text.Append("# HELP ").Append(name).Append(' ').Append(help.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal)).Append('\n');
        text.Append("# TYPE ").Append(name).Append(' ').Append(type).Append('\n');
        foreach (var (labels, value) in samples)
        {
            text.Append(name).Append(labels).Append(' ').Append(value.ToString("R", CultureInfo.InvariantCulture)).Append('\n');
        }
    }

    private static string Label(string name, string value) => $"{{{name}=\"{Escape(value)}\"}}";

    private static string Escape(string value) =>
        value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);

    // PRIORITY_CLASS_TELEMETRY -> telemetry, LINK_STATE_CONNECTED -> connected (Name() of the generated enum is PascalCase).
    private static string Name<T>(T value) where T : struct, Enum => value.ToString().ToLowerInvariant();

    /// <summary>A metric name from a counter key: <c>[a-zA-Z0-9_]</c>, others become <c>_</c>.</summary>
    internal static string Sanitise(string key)
    {
        var chars = key.ToCharArray();
        for (var i = 0; i < chars.Length; i++)
        {
            if (!(char.IsAsciiLetterOrDigit(chars[i]) || chars[i] == '_'))
            {
                chars[i] = '_';
            }
        }

        return new string(chars);
    }
}
