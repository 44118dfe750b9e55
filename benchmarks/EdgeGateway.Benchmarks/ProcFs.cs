using System.Globalization;

namespace EdgeGateway.Benchmarks;

/// <summary>
/// What Linux's <c>/proc</c> says about a running process: CPU time, context switches (wake-ups) and
/// resident memory split into anonymous (heaps, stacks) and file-backed (mapped assemblies) pages.
/// </summary>
internal static class ProcFs
{
    /// <summary>Clock ticks per second of <c>/proc/PID/stat</c> (USER_HZ, 100 on Linux).</summary>
    public const double TicksPerSecond = 100.0;

    /// <summary>utime + stime of a process, in clock ticks (fields 14 and 15 of /proc/PID/stat).</summary>
    public static long CpuTicks(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// Voluntary plus involuntary context switches of each live thread, by thread id: each one is a
    /// thread going to sleep or giving way, so the growth over a window counts wake-ups.
    /// </summary>
    public static Dictionary<int, long> ContextSwitches(int pid)
    {
        var counts = new Dictionary<int, long>();
        foreach (var task in Directory.EnumerateDirectories($"/proc/{pid}/task"))
        {
            try
            {
                var total = 0L;
                foreach (var line in File.ReadLines(Path.Combine(task, "status")))
                {
                    if (line.StartsWith("voluntary_ctxt_switches:", StringComparison.Ordinal)
                        || line.StartsWith("nonvoluntary_ctxt_switches:", StringComparison.Ordinal))
                    {
                        total += long.Parse(line.AsSpan(line.IndexOf(':') + 1).Trim(), CultureInfo.InvariantCulture);
                    }
                }

                counts[int.Parse(Path.GetFileName(task), CultureInfo.InvariantCulture)] = total;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // The thread ended between listing and reading.
            }
        }

        return counts;
    }

    /// <summary>
    /// Context switches between two readings of <see cref="ContextSwitches"/>: growth of the threads
    /// alive at both, plus everything of the threads born in between. Threads that ended in between
    /// take their count with them, so this is a lower bound.
    /// </summary>
    public static long ContextSwitchesBetween(Dictionary<int, long> before, Dictionary<int, long> after) =>
        after.Sum(t => t.Value - before.GetValueOrDefault(t.Key));

    /// <summary>Number of threads of the process.</summary>
    public static int Threads(int pid) => Directory.GetDirectories($"/proc/{pid}/task").Length;

    /// <summary>Resident memory now, in KiB, as <c>/proc/PID/status</c> splits it.</summary>
    public static ResidentMemory Memory(int pid)
    {
        var status = File.ReadAllLines($"/proc/{pid}/status");
        long Field(string name) =>
            status.FirstOrDefault(l => l.StartsWith(name, StringComparison.Ordinal)) is { } line
                ? long.Parse(line.AsSpan(name.Length).Trim().TrimEnd("kB").Trim(), CultureInfo.InvariantCulture)
                : 0;
        return new ResidentMemory(Field("VmRSS:"), Field("RssAnon:"), Field("RssFile:"), Field("RssShmem:"), Field("VmHWM:"));
    }

    /// <summary>
    /// Resident KiB per mapping of <c>/proc/PID/smaps</c>, summed by what is mapped: a file's name, or
    /// the kind of anonymous memory (<c>[heap]</c>, <c>[stack]</c>, <c>memfd:doublemapper</c>, <c>[anon]</c>),
    /// largest first. <c>Private</c> is the part no other process shares (Private_Clean + Private_Dirty).
    /// </summary>
    public static List<(string Mapping, long Rss, long Private)> Mappings(int pid)
    {
        var sums = new Dictionary<string, (long Rss, long Private)>(StringComparer.Ordinal);
        var current = "[anon]";
        foreach (var line in File.ReadLines($"/proc/{pid}/smaps"))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            var space = line.IndexOf(' ', StringComparison.Ordinal);
            if (space > 0 && (colon < 0 || colon > space))
            {
                // A mapping's header: "start-end perms offset dev inode [path]".
                var fields = line.Split(' ', 6, StringSplitOptions.RemoveEmptyEntries);
                current = fields.Length > 5 ? Path.GetFileName(fields[5].Trim()) is { Length: > 0 } name ? name : fields[5].Trim() : "[anon]";
                if (fields.Length > 5 && fields[5].StartsWith('['))
                {
                    current = fields[5].Trim();
                }

                continue;
            }

            var isRss = line.StartsWith("Rss:", StringComparison.Ordinal);
            var isPrivate = line.StartsWith("Private_Clean:", StringComparison.Ordinal) || line.StartsWith("Private_Dirty:", StringComparison.Ordinal);
            if (isRss || isPrivate)
            {
                var kib = long.Parse(line.AsSpan(colon + 1).Trim().TrimEnd("kB").Trim(), CultureInfo.InvariantCulture);
                var sum = sums.GetValueOrDefault(current);
                sums[current] = isRss ? (sum.Rss + kib, sum.Private) : (sum.Rss, sum.Private + kib);
            }
        }

        return sums.Select(s => (s.Key, s.Value.Rss, s.Value.Private)).OrderByDescending(s => s.Item2).ToList();
    }

    /// <summary>Resident memory of one process, in KiB.</summary>
    /// <param name="Rss">VmRSS: the sum of the three parts.</param>
    /// <param name="Anonymous">Private heaps: the GC heap, native heaps, thread stacks.</param>
    /// <param name="File">Mapped files: the runtime, framework and application assemblies and native libraries
    /// (shared with every other .NET process on the machine).</param>
    /// <param name="Shared">Shared memory; for .NET, the JIT's code and stubs, which W^X maps twice (memfd "doublemapper").</param>
    /// <param name="Peak">VmHWM, the highest VmRSS so far.</param>
    internal readonly record struct ResidentMemory(long Rss, long Anonymous, long File, long Shared, long Peak);
}
