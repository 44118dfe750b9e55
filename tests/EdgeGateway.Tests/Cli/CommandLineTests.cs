using EdgeGateway.Cli;
using EdgeGateway.Hosting;
using FleetControl.Hosting;

namespace EdgeGateway.Tests.Cli;

/// <summary>The gateway's and FleetControl's command lines, run in-process as an operator would type them.</summary>
public sealed class CommandLineTests
{
    public static TheoryData<string, string[]> Programs => new()
    {
        { GatewayProgram.Name, ["run", "health", "salvage", "nmea", "at"] },
        { FleetControlProgram.Name, ["run", "accounts", "audit", "evidence"] },
    };

    [Theory]
    [MemberData(nameof(Programs))]
    public async Task Help_ListsEveryVerb_Exit0(string program, string[] verbs)
    {
        var (code, output, error) = await RunAsync(program, "--help");

        Assert.Equal(CliExit.Ok, code);
        Assert.Empty(error);
        Assert.Contains($"{program} [command] [options]", output, StringComparison.Ordinal);
        Assert.All(verbs, verb => Assert.Matches($@"(?m)^  {verb}\b", output));
    }

    [Theory]
    [MemberData(nameof(Programs))]
    public async Task Version_PrintsVersionWithoutStartingTheService_Exit0(string program, string[] verbs)
    {
        _ = verbs;

        var (code, output, _) = await RunAsync(program, "--version");

        Assert.Equal(CliExit.Ok, code);
        Assert.Matches(@"^\d+\.\d+\.\d+", output);
    }

    [Theory]
    [InlineData(GatewayProgram.Name, new[] { "--bogus" }, "'--bogus'", "Run 'EdgeGateway --help'")]
    [InlineData(GatewayProgram.Name, new[] { "flux-capacitor" }, "unknown command 'flux-capacitor'", "Run 'EdgeGateway --help'")]
    [InlineData(GatewayProgram.Name, new[] { "nmea", "decode" }, "Required argument missing", "Run 'EdgeGateway nmea decode --help'")]
    [InlineData(GatewayProgram.Name, new[] { "health", "--data" }, "'--data'", "Run 'EdgeGateway health --help'")]
    [InlineData(GatewayProgram.Name, new[] { "nmea", "decode", "x", "--Gateway:DeviceId=a" }, "takes no configuration settings", "Run 'EdgeGateway nmea decode --help'")]
    [InlineData(GatewayProgram.Name, new[] { "--Gateway:DeviceId" }, "needs a value", "Run 'EdgeGateway --help'")]
    [InlineData(FleetControlProgram.Name, new[] { "accounts", "add", "bob" }, "--role", "Run 'FleetControl accounts add --help'")]
    [InlineData(FleetControlProgram.Name, new[] { "evidence", "verify" }, "Required argument missing", "Run 'FleetControl evidence verify --help'")]
    public async Task BadCommandLine_OneErrorLineAndPointerToHelp_Exit2(string program, string[] args, string message, string pointer)
    {
        var (code, output, error) = await RunAsync(program, args);

        Assert.Equal(CliExit.Usage, code);
        Assert.Empty(output);
        Assert.StartsWith($"{program}: error: ", error, StringComparison.Ordinal);
        Assert.Contains(message, error, StringComparison.Ordinal);
        Assert.Contains(pointer, error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--Gateway:Role=Nope")]
    [InlineData("run", "--Gateway:Role=Nope")]
    [InlineData("run", "--Gateway:Role", "Nope")]
    public async Task Settings_ReachTheHost_WithOrWithoutRun(params string[] args)
    {
        var (code, _, error) = await RunAsync(GatewayProgram.Name, args);

        // The host read the override: the role it names is refused at start-up (EX_CONFIG).
        Assert.Equal(CliExit.Config, code);
        Assert.Contains("Gateway:Role 'Nope' is not a role", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HealthHelp_NamesItsOptionsAndExitCodes()
    {
        var (code, output, _) = await RunAsync(GatewayProgram.Name, "health", "--help");

        Assert.Equal(CliExit.Ok, code);
        Assert.Contains("--data <DIR>", output, StringComparison.Ordinal);
        Assert.Contains("--stale-after <hh:mm:ss>", output, StringComparison.Ordinal);
        Assert.Contains("3 stale, 4 degraded", output, StringComparison.Ordinal);
    }

    private static async Task<(int Code, string Output, string Error)> RunAsync(string program, params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var application = program == GatewayProgram.Name ? GatewayProgram.CreateCommandLine() : FleetControlProgram.CreateCommandLine();
        var code = await application.RunAsync(args, TextReader.Null, output, error, TestContext.Current.CancellationToken)
            .WaitAsync(TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken);
        return (code, output.ToString(), error.ToString());
    }
}
