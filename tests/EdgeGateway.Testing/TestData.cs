namespace EdgeGateway.Testing;

/// <summary>
/// Where the repository and the shared real-device recordings are: the repository root holds
/// EdgeGateway.sln, and <c>../shared/testdata</c> sits beside it (in a checkout and in CI alike).
/// </summary>
public static class TestData
{
    private static readonly Lazy<string> Root = new(FindRepositoryRoot);

    /// <summary>The folder holding EdgeGateway.sln.</summary>
    public static string RepositoryRoot => Root.Value;

    /// <summary>
    /// The shared test data folder (read-only recordings from real devices): <c>shared/testdata</c> beside
    /// the repository, or beside one of its parents (a git worktree sits a level or two deeper).
    /// </summary>
    public static string Directory => SharedData.Value;

    private static readonly Lazy<string> SharedData = new(() =>
    {
        for (var dir = new DirectoryInfo(RepositoryRoot).Parent; dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "shared", "testdata");
            if (System.IO.Directory.Exists(candidate))
            {
                return candidate;
            }
        }

        return Path.GetFullPath(Path.Combine(RepositoryRoot, "..", "shared", "testdata"));
    });

    /// <summary>The gpsd receiver captures with gpsd's own decoding beside each.</summary>
    public static string GpsdCaptures => Path.Combine(Directory, "nmea", "gpsd");

    private static string FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "EdgeGateway.sln")))
            {
                return dir.FullName;
            }
        }

        throw new DirectoryNotFoundException("EdgeGateway.sln not found above " + AppContext.BaseDirectory);
    }
}
