namespace EdgeGateway.Simulators.Tests.Cli;

public sealed class ProgramTests
{
    [Fact]
    public async Task RunAsync_NoArguments_PrintsUsageAndReturns2()
    {
        var error = new StringWriter();

        var code = await Program.RunAsync([], TextWriter.Null, error, TestContext.Current.CancellationToken);

        Assert.Equal(2, code);
        Assert.Contains("gps", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_UnknownCommand_Returns2NamingIt()
    {
        var error = new StringWriter();

        var code = await Program.RunAsync(["flux-capacitor"], TextWriter.Null, error, TestContext.Current.CancellationToken);

        Assert.Equal(2, code);
        Assert.Contains("unknown command 'flux-capacitor'", error.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new[] { "gps", "--tcp", "127.0.0.1:0", "--bogus" }, "unknown option --bogus")]
    [InlineData(new[] { "gps", "--route", "hertford" }, "no output")]
    [InlineData(new[] { "gps", "--route", "atlantis", "--pty" }, "unknown route 'atlantis'")]
    [InlineData(new[] { "gps", "--tcp", "localhost" }, "--tcp: 'localhost' is not HOST:PORT")]
    [InlineData(new[] { "gps", "--replay", "/nonexistent/x.log", "--pty" }, "not found")]
    [InlineData(new[] { "gps", "--route", "hertford", "--replay", "x", "--pty" }, "either --route or --replay")]
    [InlineData(new[] { "gps", "--pty", "--rate", "0" }, "--rate: 0 is outside")]
    [InlineData(new[] { "gps", "--pty", "--outage-every", "10" }, "give both --outage-every and --outage-for")]
    [InlineData(new[] { "gps", "--pty", "--outage-every", "10", "--outage-for", "10" }, "--outage-for must be shorter")]
    public async Task RunAsync_BadGpsOptions_Returns2WithMessageAndUsage(string[] argv, string message)
    {
        var error = new StringWriter();

        var code = await Program.RunAsync(argv, TextWriter.Null, error, TestContext.Current.CancellationToken);

        Assert.Equal(2, code);
        Assert.Contains(message, error.ToString(), StringComparison.Ordinal);
        Assert.Contains("usage: EdgeGateway.Simulators gps", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_GpsHelp_PrintsUsageAndReturns0()
    {
        var output = new StringWriter();

        var code = await Program.RunAsync(["gps", "--help"], output, TextWriter.Null, TestContext.Current.CancellationToken);

        Assert.Equal(0, code);
        Assert.Contains("--pty-link PATH", output.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_Version_PrintsVersionAndReturns0()
    {
        var output = new StringWriter();

        var code = await Program.RunAsync(["--version"], output, TextWriter.Null, TestContext.Current.CancellationToken);

        Assert.Equal(0, code);
        Assert.Matches(@"^\d+\.\d+\.\d+", output.ToString());
    }

    [Fact]
    public async Task RunAsync_Help_ListsEveryCommandAndReturns0()
    {
        var output = new StringWriter();

        var code = await Program.RunAsync(["--help"], output, TextWriter.Null, TestContext.Current.CancellationToken);

        Assert.Equal(0, code);
        Assert.All(Program.Commands, c => Assert.Contains($"  {c.Name} ", output.ToString(), StringComparison.Ordinal));
    }
}
