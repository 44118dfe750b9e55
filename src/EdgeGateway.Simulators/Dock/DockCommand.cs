using System.Globalization;

namespace EdgeGateway.Simulators.Dock;

/// <summary>
/// <c>dock --root DIR [--bays 8] [--cameras N] [--recordings R] [--clip-seconds S] [--big-file-size 2GiB]
/// [--big-every K] [--critical-every C] [--pull-after 10s] [--redock-after 5s] [--once]</c>:
/// docks cameras into free bays; when the gateway has wiped a camera's recordings it is undocked and
/// the next camera docks. <c>--pull-after</c> yanks the camera with the most data left out of its bay
/// (mid-transfer) and re-docks it <c>--redock-after</c> later. <c>--once</c> docks and exits.
/// The first camera comes back once after it was wiped, with new recordings under the same file names
/// (a camera numbering from 1 again), so the dock has to tell them apart from what it already offloaded.
/// </summary>
internal static class DockCommand
{
    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        string? root = null;
        int bays = 8, cameras = 8, recordings = 3, clipSeconds = 5, bigEvery = 1, criticalEvery = 4;
        long bigSize = 0;
        TimeSpan? pullAfter = null;
        var redockAfter = TimeSpan.FromSeconds(5);
        var once = false;
        for (var i = 0; i < args.Length; i++)
        {
            var value = i + 1 < args.Length ? args[i + 1] : null;
            var ok = args[i] switch
            {
                "--root" when value is not null => Set(ref root, value, ref i),
                "--bays" => Int(value, ref bays, ref i),
                "--cameras" => Int(value, ref cameras, ref i),
                "--recordings" => Int(value, ref recordings, ref i),
                "--clip-seconds" => Int(value, ref clipSeconds, ref i),
                "--big-every" => Int(value, ref bigEvery, ref i),
                "--critical-every" => Int(value, ref criticalEvery, ref i),
                "--big-file-size" => value is not null && SizeParser.TryParse(value, out bigSize) && ++i > 0,
                "--pull-after" => Duration(value, out var p, ref i) && (pullAfter = p) is not null,
                "--redock-after" => Duration(value, out redockAfter, ref i),
                "--once" => once = true,
                _ => false,
            };
            if (!ok)
            {
                await error.WriteLineAsync($"dock: bad argument '{args[i]}'").ConfigureAwait(false);
                return 2;
            }
        }

        if (root is null || bays < 1 || cameras < 0 || clipSeconds < 1)
        {
            await error.WriteLineAsync("usage: dock --root DIR [--bays 8] [--cameras N] [--recordings R] [--clip-seconds S] [--big-file-size 2GiB] [--big-every K] [--critical-every C] [--pull-after 10s] [--redock-after 5s] [--once]").ConfigureAwait(false);
            return 2;
        }

        var dock = new DockSimulator(root);
        var seed = await new ClipFactory(Path.Combine(root, ".cache")).EnsureSeedClipAsync(clipSeconds, cancellationToken).ConfigureAwait(false);
        var waiting = new Queue<SimulatedCamera>(CameraFleet.Create(cameras, recordings, clipSeconds, bigSize, bigEvery, criticalEvery, TimeProvider.System.GetUtcNow().AddHours(-8)));
        var started = TimeProvider.System.GetTimestamp();
        int? pulledBay = null;
        var pulledAt = 0L;
        var docked = new Dictionary<int, string>();
        var firstCamera = waiting.Count > 0 ? waiting.Peek() : null;
        var generations = new Dictionary<string, int>(StringComparer.Ordinal);
        while (!cancellationToken.IsCancellationRequested)
        {
            for (var bay = 1; bay <= bays; bay++)
            {
                if (docked.TryGetValue(bay, out var serial) && bay != pulledBay && dock.Recordings(bay).Count == 0)
                {
                    dock.Undock(bay);
                    docked.Remove(bay);
                    await output.WriteLineAsync(Invariant($"bay {bay}: {serial} offloaded, undocked")).ConfigureAwait(false);
                    if (firstCamera is not null && serial == firstCamera.Serial && !generations.ContainsKey(serial))
                    {
                        generations[serial] = 1; // comes back with the same file names, new recordings
                        waiting.Enqueue(firstCamera with
                        {
                            Recordings = firstCamera.Recordings.Select(r => r with { Start = r.Start.AddHours(4) }).ToList(),
                        });
                    }
                }

                if (!docked.ContainsKey(bay) && waiting.Count > 0 && bay != pulledBay)
                {
                    var camera = waiting.Dequeue();
                    await dock.DockAsync(bay, camera, seed, cancellationToken, generations.GetValueOrDefault(camera.Serial)).ConfigureAwait(false);
                    docked[bay] = camera.Serial;
                    await output.WriteLineAsync(Invariant($"bay {bay}: docked {camera.Serial} ({camera.Recordings.Count} recordings, battery {camera.BatteryPercent}%)")).ConfigureAwait(false);
                }
            }

            if (once)
            {
                return 0;
            }

            var elapsed = TimeProvider.System.GetElapsedTime(started);
            if (pullAfter is { } pull && pulledBay is null && elapsed >= pull && docked.Count > 0)
            {
                pulledBay = docked.Keys.MaxBy(b => dock.Recordings(b).Sum(f => new FileInfo(f).Length));
                dock.Pull(pulledBay.Value);
                pulledAt = TimeProvider.System.GetTimestamp();
                pullAfter = null;
                await output.WriteLineAsync(Invariant($"bay {pulledBay}: camera pulled out")).ConfigureAwait(false);
            }
            else if (pulledBay is { } b && TimeProvider.System.GetElapsedTime(pulledAt) >= redockAfter)
            {
                dock.Redock(b);
                pulledBay = null;
                await output.WriteLineAsync(Invariant($"bay {b}: camera re-docked")).ConfigureAwait(false);
            }

            if (docked.Count == 0 && waiting.Count == 0)
            {
                await output.WriteLineAsync("dock: every camera offloaded").ConfigureAwait(false);
                return 0;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(500), TimeProvider.System, cancellationToken).ConfigureAwait(false);
        }

        return 0;
    }

    private static bool Set(ref string? target, string value, ref int i)
    {
        target = value;
        i++;
        return true;
    }

    private static bool Int(string? value, ref int target, ref int i)
    {
        if (value is null || !int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out target))
        {
            return false;
        }

        i++;
        return true;
    }

    private static bool Duration(string? value, out TimeSpan duration, ref int i)
    {
        duration = default;
        if (value is null)
        {
            return false;
        }

        var ok = value.EndsWith("ms", StringComparison.Ordinal)
            ? double.TryParse(value[..^2], NumberStyles.Float, CultureInfo.InvariantCulture, out var ms) && (duration = TimeSpan.FromMilliseconds(ms)) >= TimeSpan.Zero
            : value.EndsWith('s')
                ? double.TryParse(value[..^1], NumberStyles.Float, CultureInfo.InvariantCulture, out var s) && (duration = TimeSpan.FromSeconds(s)) >= TimeSpan.Zero
                : TimeSpan.TryParse(value, CultureInfo.InvariantCulture, out duration);
        if (ok)
        {
            i++;
        }

        return ok;
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
