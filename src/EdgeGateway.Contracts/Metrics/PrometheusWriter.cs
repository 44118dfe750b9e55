using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace EdgeGateway.Contracts.Metrics;

/// <summary>
/// Writes the Prometheus text exposition format (version 0.0.4): a HELP and TYPE line per metric, then its
/// samples. Shared by the gateway's and FleetControl's <c>/metrics</c>; names and labels are escaped here.
/// </summary>
public sealed class PrometheusWriter
{
    /// <summary>The Content-Type of a response carrying this text.</summary>
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    private readonly StringBuilder _text = new(4096);

    /// <summary>One metric with its samples: each a label set (<see cref="Labels"/>, or empty) and a value.</summary>
    public PrometheusWriter Metric(string name, string type, string help, IEnumerable<(string Labels, double Value)> samples)
    {
        _text.Append("# HELP ").Append(name).Append(' ')
            .Append(help.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal)).Append('\n');
        _text.Append("# TYPE ").Append(name).Append(' ').Append(type).Append('\n');
        foreach (var (labels, value) in samples)
        {
            _text.Append(name).Append(labels).Append(' ').Append(value.ToString("R", CultureInfo.InvariantCulture)).Append('\n');
        }

        return this;
    }

    /// <summary>One metric with a single unlabelled sample.</summary>
    public PrometheusWriter Metric(string name, string type, string help, double value) => Metric(name, type, help, [(string.Empty, value)]);

    /// <summary>The process's own figures (CPU, memory, GC, threads); on request.</summary>
    public PrometheusWriter Runtime(DateTimeOffset now)
    {
        using var process = Process.GetCurrentProcess();
        var started = new DateTimeOffset(process.StartTime.ToUniversalTime());
        Metric("process_cpu_seconds_total", "counter", "User and system CPU time", process.TotalProcessorTime.TotalSeconds);
        Metric("process_resident_memory_bytes", "gauge", "Resident set size", process.WorkingSet64);
        Metric("process_start_time_seconds", "gauge", "Start time, seconds since the Unix epoch", started.ToUnixTimeMilliseconds() / 1000d);
        Metric("process_uptime_seconds", "gauge", "Seconds since the process started", (now - started).TotalSeconds);
        Metric("dotnet_gc_heap_bytes", "gauge", "Managed heap size", GC.GetTotalMemory(forceFullCollection: false));
        Metric("dotnet_gc_collections_total", "counter", "Garbage collections, per generation",
            Enumerable.Range(0, GC.MaxGeneration + 1).Select(g => (PrometheusWriter.Labels(("generation", g.ToString(CultureInfo.InvariantCulture))), (double)GC.CollectionCount(g))));
        Metric("dotnet_thread_pool_threads", "gauge", "Thread-pool threads", ThreadPool.ThreadCount);

        return this;
    }

    /// <summary>A label set, e.g. <c>{class="telemetry"}</c>; values are escaped.</summary>
    public static string Labels(params (string Name, string Value)[] labels) =>
        "{" + string.Join(',', labels.Select(l => $"{l.Name}=\"{Escape(l.Value)}\"")) + "}";

    /// <summary>A metric name from a free-form key: <c>[a-zA-Z0-9_]</c>, anything else becomes <c>_</c>.</summary>
    public static string Sanitise(string key)
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

    /// <inheritdoc />
    public override string ToString() => _text.ToString();

    private static string Escape(string value) =>
        value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);
}
