using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;
using EdgeGateway.Simulators.Cli;

namespace EdgeGateway.Simulators.Anpr;

/// <summary>
/// <c>anpr</c>: a simulated ANPR camera. It POSTs reads (JSON metadata plus real plate-patch and overview JPEGs) to a
/// gateway's camera listener at a steady rate, drawing VRMs from a population of realistic UK plates and, with the
/// given probability, from a hotlist CSV (<c>vrm,list,reason,markers</c>) so a known share of reads are hits. One JSON
/// line per attempt: <c>{"vrm","status","response"}</c>, or <c>{"vrm","status":0,"error"}</c> for a read the gateway did
/// not take, which the camera keeps (up to 10,000) and sends again, oldest first, like a real camera's buffer.
/// </summary>
internal static class AnprCameraCommand
{
    public const string Usage =
        "anpr --target http://127.0.0.1:8480 [--camera cam-front] [--lane 1] [--rate 1] [--count N] [--population 100] " +
        "[--hotlist FILE.csv] [--hit-rate 0.05] [--seed S] [--work DIR]";

    public static async Task<int> RunAsync(IReadOnlyList<string> args, TextWriter output, CancellationToken cancellationToken)
    {
        var cli = CliArguments.Parse(args, ["--target", "--camera", "--lane", "--rate", "--count", "--population", "--hotlist", "--hit-rate", "--seed", "--work"], []);
        if (cli.GetString("--target") is not { } targetText || !Uri.TryCreate(targetText, UriKind.Absolute, out var target))
        {
            throw new CliUsageException("--target must be the gateway's camera listener, e.g. http://127.0.0.1:8480");
        }

        var camera = cli.GetString("--camera") ?? "cam-front";
        var lane = cli.GetString("--lane") ?? "1";
        var rate = cli.GetDouble("--rate", 1, 0.01, 1000);
        var count = cli.GetInt64("--count", 1, long.MaxValue);
        var population = (int)(cli.GetInt64("--population", 1, 1_000_000) ?? 100);
        var hitRate = cli.GetDouble("--hit-rate", 0.05, 0, 1);
        var random = cli.GetInt64("--seed", 0, int.MaxValue) is { } seed ? new Random((int)seed) : new Random();
        var hotlist = cli.GetString("--hotlist") is { } file ? ReadHotlist(file) : [];
        var images = new PlateImages(cli.GetString("--work") ?? Path.Combine(Path.GetTempPath(), "anpr-sim-" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture)));
        var vrms = Enumerable.Range(0, population).Select(_ => UkPlates.Next(random)).ToArray();

        using var http = new HttpClient { BaseAddress = target, Timeout = TimeSpan.FromSeconds(30) };
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1 / rate));
        long sent = 0;
        try
        {
            await PostReadsAsync().ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopped (Ctrl+C, SIGTERM): a clean end.
        }

        return 0;

        async Task PostReadsAsync()
        {
            // Like a real camera, a read the gateway did not take (down, restarting, 5xx) is kept and sent
            // again before newer ones, so a gateway that starts after its camera loses nothing.
            var pending = new Queue<PendingRead>();
            do
            {
                if (count is null || sent < count)
                {
                    pending.Enqueue(await NextReadAsync().ConfigureAwait(false));
                    sent++;
                    if (pending.Count > MaxPending)
                    {
                        var dropped = pending.Dequeue();
                        await WriteLineAsync($"{{\"vrm\":\"{dropped.Vrm}\",\"status\":0,\"error\":\"camera buffer full ({MaxPending} reads): oldest read dropped\"}}").ConfigureAwait(false);
                    }
                }

                while (pending.TryPeek(out var read))
                {
                    var (delivered, line) = await PostAsync(read).ConfigureAwait(false);
                    await WriteLineAsync(line).ConfigureAwait(false);
                    if (!delivered)
                    {
                        break;
                    }

                    pending.Dequeue();
                }
            }
            while ((count is null || sent < count || pending.Count > 0) && await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false));
        }

        async Task<PendingRead> NextReadAsync()
        {
            var isHit = hotlist.Count > 0 && random.NextDouble() < hitRate;
            var vrm = isHit ? hotlist[random.Next(hotlist.Count)] : vrms[random.Next(vrms.Length)];
            var (plate, overview) = await images.GetAsync(vrm, rear: random.Next(2) == 0, cancellationToken).ConfigureAwait(false);
            var metadata = JsonSerializer.Serialize(new
            {
                vrm,
                confidence = Math.Round(0.80 + (random.NextDouble() * 0.19), 3),
                country = "GB",
                cameraId = camera,
                timestamp = TimeProvider.System.GetUtcNow().ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture),
                lane,
            });
            return new PendingRead(vrm, metadata, plate, overview);
        }

        // Delivered: the gateway answered 2xx, or 4xx (it will never take this read; retrying cannot help).
        async Task<(bool Delivered, string Line)> PostAsync(PendingRead read)
        {
            using var content = new MultipartFormDataContent();
            content.Add(new StringContent(read.Metadata, System.Text.Encoding.UTF8, "application/json"), "metadata");
            content.Add(Jpeg(read.Plate), "plate", "plate.jpg");
            content.Add(Jpeg(read.Overview), "overview", "overview.jpg");
            try
            {
                using var response = await http.PostAsync("anpr/reads", content, cancellationToken).ConfigureAwait(false);
                var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
                var status = (int)response.StatusCode;
                return (status < 500, $"{{\"vrm\":\"{read.Vrm}\",\"status\":{status},\"response\":{(body.StartsWith('{') ? body : JsonSerializer.Serialize(body))}}}");
            }
            catch (HttpRequestException e)
            {
                return (false, $"{{\"vrm\":\"{read.Vrm}\",\"status\":0,\"error\":{JsonSerializer.Serialize(e.Message + "; kept, sent again next tick")}}}");
            }
        }

        async Task WriteLineAsync(string line)
        {
            await output.WriteLineAsync(line).ConfigureAwait(false);
            await output.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>How many reads the camera keeps while the gateway does not take them (a real camera's buffer).</summary>
    private const int MaxPending = 10_000;

    private sealed record PendingRead(string Vrm, string Metadata, byte[] Plate, byte[] Overview);

    private static ByteArrayContent Jpeg(byte[] bytes)
    {
        var part = new ByteArrayContent(bytes);
        part.Headers.ContentType = new MediaTypeHeaderValue("image/jpeg");
        return part;
    }

    /// <summary>The VRMs of a hotlist CSV with the header <c>vrm,...</c> (the first column).</summary>
    private static List<string> ReadHotlist(string path)
    {
        if (!File.Exists(path))
        {
            throw new CliUsageException($"--hotlist {path}: no such file");
        }

        var lines = File.ReadAllLines(path);
        if (lines.Length == 0 || !lines[0].TrimStart('\uFEFF').StartsWith("vrm", StringComparison.OrdinalIgnoreCase))
        {
            throw new CliUsageException($"--hotlist {path}: the first line must be a header starting with 'vrm'");
        }

        return [.. lines.Skip(1).Select(l => l.Split(',')[0].Trim().Trim('"')).Where(v => v.Length > 0)];
    }
}
