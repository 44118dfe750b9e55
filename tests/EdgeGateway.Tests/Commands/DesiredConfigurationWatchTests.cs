using EdgeGateway.Commands;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Configuration.Json;
using Microsoft.Extensions.FileProviders;

namespace EdgeGateway.Tests.Commands;

/// <summary>
/// The desired-configuration layer watches its own data directory, not the nearest existing parent (a file provider's
/// watcher is recursive: rooted at the parent, every write below it woke the gateway), and it still reloads on change.
/// </summary>
public sealed class DesiredConfigurationWatchTests : IDisposable
{
    private readonly TempDirectory _root = new();

    public void Dispose() => _root.Dispose();

    [Fact]
    public void DataDirectoryMissing_WatchIsRootedAtTheDataDirectoryNotItsParent()
    {
        var data = Path.Combine(_root.Path, "not-yet", "data");

        var builder = ConfigurationApplier.AddDesiredConfiguration(new ConfigurationBuilder(), data);

        var source = Assert.IsType<JsonConfigurationSource>(Assert.Single(builder.Sources));
        var provider = Assert.IsType<PhysicalFileProvider>(source.FileProvider);
        Assert.Equal(Path.TrimEndingDirectorySeparator(Path.GetFullPath(data)), Path.TrimEndingDirectorySeparator(provider.Root));
        Assert.Equal(ConfigurationApplier.FileName, source.Path);
        Assert.True(source.ReloadOnChange);
        Assert.True(Directory.Exists(data));
    }

    [Fact]
    public async Task DesiredFileWritten_LayerReloads()
    {
        var data = Path.Combine(_root.Path, "data");
        var configuration = ConfigurationApplier.AddDesiredConfiguration(new ConfigurationBuilder(), data).Build();
        Assert.Null(configuration["Logging:LogLevel:Default"]);

        var reloaded = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var registration = configuration.GetReloadToken().RegisterChangeCallback(_ => reloaded.TrySetResult(), null);
        await File.WriteAllTextAsync(Path.Combine(data, ConfigurationApplier.FileName), """{ "Logging": { "LogLevel": { "Default": "Debug" } } }""",
            TestContext.Current.CancellationToken);

        await reloaded.Task.WaitAsync(TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken);
        Assert.Equal("Debug", configuration["Logging:LogLevel:Default"]);
    }
}
