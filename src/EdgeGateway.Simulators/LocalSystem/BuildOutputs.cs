namespace EdgeGateway.Simulators.LocalSystem;

/// <summary>
/// Finds the repository root and the built entry assemblies of the three programs, so the launcher
/// and the end-to-end tests start the very binaries the build produced, as separate processes.
/// </summary>
internal sealed class BuildOutputs
{
    private BuildOutputs(string repositoryRoot, string configuration)
    {
        RepositoryRoot = repositoryRoot;
        Configuration = configuration;
    }

    /// <summary>The folder holding EdgeGateway.sln.</summary>
    public string RepositoryRoot { get; }

    /// <summary>Debug or Release: the same as the running assembly's.</summary>
    public string Configuration { get; }

    /// <summary>
    /// The gateway to run: the built EdgeGateway.dll, or the published binary named by
    /// <see cref="GatewayBinaryVariable"/> (e.g. the NativeAOT executable), so the end-to-end tests can run what ships.
    /// </summary>
    public string Gateway => Environment.GetEnvironmentVariable(GatewayBinaryVariable) is { Length: > 0 } binary
        ? File.Exists(binary) ? Path.GetFullPath(binary) : throw new FileNotFoundException($"{GatewayBinaryVariable} names {binary}, which does not exist.", binary)
        : Assembly("EdgeGateway");

    /// <summary>The environment variable that points the tests and the launcher at a published gateway binary.</summary>
    public const string GatewayBinaryVariable = "EDGEGATEWAY_TEST_GATEWAY_BINARY";

    public string FleetControl => Assembly("FleetControl");

    public string Simulators => Assembly("EdgeGateway.Simulators");

    /// <summary>The shared test data folder (real device captures) beside the repository.</summary>
    public string SharedTestData => Path.GetFullPath(Path.Combine(RepositoryRoot, "..", "shared", "testdata"));

    /// <summary>Locates the outputs relative to <see cref="AppContext.BaseDirectory"/>.</summary>
    public static BuildOutputs Locate()
    {
        var root = FindRepositoryRoot(AppContext.BaseDirectory)
            ?? throw new InvalidOperationException(
                $"Cannot find EdgeGateway.sln above {AppContext.BaseDirectory}; run from a checkout of the repository.");
        var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
            ? "Release"
            : "Debug";
        return new BuildOutputs(root, configuration);
    }

    /// <summary>Walks up from <paramref name="start"/> to the folder that holds EdgeGateway.sln.</summary>
    public static string? FindRepositoryRoot(string start)
    {
        for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "EdgeGateway.sln")))
            {
                return dir.FullName;
            }
        }

        return null;
    }

    private string Assembly(string project)
    {
        var path = Path.Combine(RepositoryRoot, "src", project, "bin", Configuration, "net10.0", project + ".dll");
        return File.Exists(path)
            ? path
            : throw new FileNotFoundException(
                $"{project} is not built ({path} is missing); run 'dotnet build -c {Configuration} EdgeGateway.sln' first.", path);
    }
}
