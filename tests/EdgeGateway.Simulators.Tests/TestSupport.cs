namespace EdgeGateway.Simulators.Tests;

/// <summary>Shared helpers: repo paths, bounded polling.</summary>
internal static class TestSupport
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    /// <summary>/work/shared/testdata relative to the checkout: walk up to EdgeGateway.sln, then ../shared/testdata.</summary>
    public static string TestDataDirectory
    {
        get
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "EdgeGateway.sln")))
            {
                dir = dir.Parent;
            }

            Assert.NotNull(dir);
            return Path.GetFullPath(Path.Combine(dir.FullName, "..", "shared", "testdata"));
        }
    }

    /// <summary>Polls <paramref name="condition"/> until true; fails after <paramref name="timeout"/>.</summary>
    public static async Task WaitUntilAsync(Func<bool> condition, TimeSpan? timeout = null, string? because = null)
    {
        var deadline = TimeProvider.System.GetTimestamp() + (long)((timeout ?? Timeout).TotalSeconds * TimeProvider.System.TimestampFrequency);
        while (!condition())
        {
            if (TimeProvider.System.GetTimestamp() > deadline)
            {
                Assert.Fail($"timed out waiting: {because ?? "condition"}");
            }

            await Task.Delay(10, TestContext.Current.CancellationToken);
        }
    }

    /// <summary>A temp directory removed on dispose.</summary>
    public sealed class TempDirectory : IDisposable
    {
        public TempDirectory()
        {
            Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "edge-sim-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(Path);
        }

        public string Path { get; }

        public void Dispose()
        {
            try
            {
                Directory.Delete(Path, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }
}
