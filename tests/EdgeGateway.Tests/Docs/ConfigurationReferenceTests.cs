namespace EdgeGateway.Tests.Docs;

/// <summary>docs/configuration.md is generated from the options classes and must be current.</summary>
public sealed class ConfigurationReferenceTests
{
    [Fact]
    public void ConfigurationReference_GeneratedFromOptionsClasses_MatchesDocsFile()
    {
        var root = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(root, "EdgeGateway.sln")))
        {
            root = Path.GetDirectoryName(root) ?? throw new InvalidOperationException("EdgeGateway.sln not found above the test binaries");
        }

        var path = Path.Combine(root, "docs", "configuration.md");
        var generated = ConfigurationReference.Generate();
        if (Environment.GetEnvironmentVariable("EDGEGATEWAY_UPDATE_DOCS") == "1")
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, generated);
        }

        Assert.True(File.Exists(path), $"{path} is missing: run EDGEGATEWAY_UPDATE_DOCS=1 dotnet test tests/EdgeGateway.Tests --filter ConfigurationReferenceTests");
        var current = File.ReadAllText(path).ReplaceLineEndings("\n");
        Assert.True(current == generated,
            "docs/configuration.md is out of date with the options classes: run EDGEGATEWAY_UPDATE_DOCS=1 dotnet test tests/EdgeGateway.Tests --filter ConfigurationReferenceTests and commit the file");
        Assert.Contains("| `Metrics:Port` | int | 9464 | 1 to 65535 |", generated, StringComparison.Ordinal);
        Assert.Contains("| `Health:VaultMinFreeBytes` | long |", generated, StringComparison.Ordinal);
    }
}
