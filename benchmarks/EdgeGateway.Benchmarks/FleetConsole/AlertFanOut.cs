using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using FleetControl.Alerts;

namespace EdgeGateway.Benchmarks.FleetConsole;

/// <summary>
/// Alert fan-out to live console sessions: <c>sessions</c> SSE readers on <c>/api/alerts/stream</c>, then
/// <c>alerts</c> alerts raised one at a time (each awaited on every session before the next), timing from
/// <see cref="AlertService.Raise"/> to the line arriving at each reader.
/// </summary>
internal static class AlertFanOut
{
    /// <summary>Every delivery's latency, and per alert the latency of the last session to get it (ms).</summary>
    public sealed record Result(List<double> Deliveries, List<double> Last);

    public static async Task<Result> MeasureAsync(HttpClient http, AlertService service, int sessions, int alerts, string tag)
    {
        var raisedAt = new ConcurrentDictionary<string, long>(StringComparer.Ordinal);
        var arrivals = new ConcurrentDictionary<string, ConcurrentBag<long>>(StringComparer.Ordinal);
        var complete = new ConcurrentDictionary<string, TaskCompletionSource>(StringComparer.Ordinal);
        using var stop = new CancellationTokenSource();
        var connected = new CountdownEvent(sessions);
        var readers = Enumerable.Range(0, sessions).Select(_ => Task.Run(async () =>
        {
            using var stream = await http.GetStreamAsync("/api/alerts/stream", stop.Token).ConfigureAwait(false);
            using var reader = new StreamReader(stream);
            while (!stop.IsCancellationRequested && await reader.ReadLineAsync(stop.Token).ConfigureAwait(false) is { } line)
            {
                var now = Stopwatch.GetTimestamp();
                if (line.StartsWith(": connected", StringComparison.Ordinal))
                {
                    connected.Signal();
                    continue;
                }

                if (!line.StartsWith("data: ", StringComparison.Ordinal))
                {
                    continue;
                }

                var id = JsonDocument.Parse(line["data: ".Length..]).RootElement.GetProperty("alertId").GetString()!;
                if (arrivals.TryGetValue(id, out var bag))
                {
                    bag.Add(now);
                    if (bag.Count == sessions)
                    {
                        complete[id].TrySetResult();
                    }
                }
            }
        })).ToList();
        if (!connected.Wait(TimeSpan.FromMinutes(1)))
        {
            throw new TimeoutException("not every session connected");
        }

        var deliveries = new List<double>(sessions * alerts);
        var last = new List<double>(alerts);
        for (var i = -2; i < alerts; i++)
        {
            var key = $"bench-{tag}-{i + 2}";
            var id = $"{AlertRules.AlertMessage}:{key}";
            arrivals[id] = [];
            complete[id] = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var start = Stopwatch.GetTimestamp();
            raisedAt[id] = start;
            service.Raise(AlertRules.AlertMessage, key, "bench-gw", "major", "benchmark alert " + key);
            await complete[id].Task.WaitAsync(TimeSpan.FromSeconds(60)).ConfigureAwait(false);
            if (i >= 0)
            {
                var times = arrivals[id].Select(t => Stopwatch.GetElapsedTime(start, t).TotalMilliseconds).ToList();
                deliveries.AddRange(times);
                last.Add(times.Max());
            }
        }

        await stop.CancelAsync().ConfigureAwait(false);
        foreach (var reader in readers)
        {
            try
            {
                await reader.WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or IOException or HttpRequestException or TimeoutException)
            {
                // The stream ends with the cancellation.
            }
        }

        return new Result(deliveries, last);
    }
}
