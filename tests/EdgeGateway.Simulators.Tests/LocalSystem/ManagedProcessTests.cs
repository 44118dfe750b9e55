using EdgeGateway.Simulators.LocalSystem;

namespace EdgeGateway.Simulators.Tests.LocalSystem;

/// <summary>
/// <see cref="ManagedProcess"/> starts a published native executable (e.g. the NativeAOT gateway named by
/// EDGEGATEWAY_TEST_GATEWAY_BINARY) as it is, and only a <c>.dll</c> through <c>dotnet</c>.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class ManagedProcessTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Start_NativeExecutable_RunsItDirectlyWithItsArgumentsAndEnvironment()
    {
        using var temp = new TempDirectory();
        var executable = Path.Combine(temp.Path, "native-program");
        await File.WriteAllTextAsync(executable, "#!/bin/sh\necho \"started $1 $2 with $GREETING in $(pwd)\"\n", TestContext.Current.CancellationToken);
        File.SetUnixFileMode(executable, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);

        await using var process = ManagedProcess.Start(
            "native", executable, ["--Gateway:DeviceId=car-1", "two"], new Dictionary<string, string> { ["GREETING"] = "hello" }, Path.Combine(temp.Path, "native.log"));
        var line = await process.WaitForOutputAsync(l => l.StartsWith("started", StringComparison.Ordinal), Patience, TestContext.Current.CancellationToken);
        await process.WaitForExitAsync(TestContext.Current.CancellationToken).WaitAsync(Patience, TestContext.Current.CancellationToken);

        // Not "dotnet native-program ...": the executable itself, first argument first, in its own folder.
        Assert.Equal($"started --Gateway:DeviceId=car-1 two with hello in {temp.Path}", line);
        Assert.Equal(0, process.ExitCode);
    }
}
