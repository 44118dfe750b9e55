using EdgeGateway.Simulators.Dock;

namespace EdgeGateway.Tests.Evidence;

/// <summary>The real ffmpeg test clip, rendered once per test run.</summary>
internal static class Seed
{
    // Shared across runs (the clip is deterministic), so nothing accumulates in /tmp.
    private static readonly string CacheDirectory = Path.Combine(Path.GetTempPath(), "eg-ev-seed");
    private static readonly Lazy<Task<string>> Clip = new(() => new ClipFactory(CacheDirectory).EnsureSeedClipAsync(2, CancellationToken.None));

    public static Task<string> ClipAsync() => Clip.Value.WaitAsync(TimeSpan.FromSeconds(60));

    public static SimulatedCamera Camera(string serial, params (string Name, long Size, string? Category)[] recordings) =>
        new(serial, 77, "PC1234", recordings.Select((r, i) => new SimulatedRecording(
            r.Name, r.Size, r.Category is null ? "manual" : "emergency", r.Category,
            new DateTimeOffset(2026, 11, 23, 8, 0, 0, TimeSpan.Zero).AddMinutes(i * 10), TimeSpan.FromMinutes(2))).ToList());
}
