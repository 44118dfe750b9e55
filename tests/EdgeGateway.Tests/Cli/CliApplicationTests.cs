using System.CommandLine;
using EdgeGateway.Cli;

namespace EdgeGateway.Tests.Cli;

/// <summary>The shared shell: a verb is one class; its tokens and the configuration overrides reach it.</summary>
public sealed class CliApplicationTests
{
    [Fact]
    public async Task Verb_GetsItsArgumentsAndSettings_AndItsExitCode()
    {
        var verb = new EchoVerb();
        var application = new CliApplication("demo", "a demo", [verb]);
        var output = new StringWriter();

        var code = await application.RunAsync(["tools", "echo", "a", "--times=2", "--Demo:Colour=red", "--environment", "Test"], TextReader.Null, output, TextWriter.Null, TestContext.Current.CancellationToken);

        Assert.Equal(42, code);
        Assert.Equal(["a", "--times", "2"], verb.Arguments);
        Assert.Equal(["--Demo:Colour=red", "--environment=Test"], verb.Settings);
        Assert.Equal(2, verb.Times);
    }

    [Fact]
    public async Task NoVerb_RunsTheDefaultVerbWithTheSettings()
    {
        var run = new RunLikeVerb();
        var application = new CliApplication("demo", "a demo", [run, new EchoVerb()]);

        var code = await application.RunAsync(["--Demo:Colour=blue"], TextReader.Null, TextWriter.Null, TextWriter.Null, TestContext.Current.CancellationToken);

        Assert.Equal(7, code);
        Assert.Equal(["--Demo:Colour=blue"], run.Settings);
    }

    [Fact]
    public async Task GroupHelp_UsesTheVerbsGroupDescription()
    {
        var application = new CliApplication("demo", "a demo", [new EchoVerb()]);
        var output = new StringWriter();

        var code = await application.RunAsync(["--help"], TextReader.Null, output, TextWriter.Null, TestContext.Current.CancellationToken);

        Assert.Equal(CliExit.Ok, code);
        Assert.Contains("tools", output.ToString(), StringComparison.Ordinal);
        Assert.Contains("Handy tools", output.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task NoVerbAndNoDefault_PrintsTheOverviewToStderr_Exit2()
    {
        var application = new CliApplication("demo", "a demo", [new EchoVerb()], defaultVerb: "");
        var error = new StringWriter();

        var code = await application.RunAsync([], TextReader.Null, TextWriter.Null, error, TestContext.Current.CancellationToken);

        Assert.Equal(CliExit.Usage, code);
        Assert.Contains("Handy tools", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void DiscoverVerbs_FindsEveryVerbOfTheGatewayAssembly()
    {
        var paths = CliApplication.DiscoverVerbs(typeof(EdgeGateway.Hosting.GatewayProgram).Assembly).Select(v => v.Path).Order(StringComparer.Ordinal);

        Assert.Equal(["anpr match", "at decode", "health", "nmea decode", "run", "salvage", "supervise", "update apply"], paths);
    }

    private sealed class EchoVerb : CliVerb
    {
        private readonly Option<int> _times = new("--times");

        public IReadOnlyList<string> Arguments { get; private set; } = [];

        public IReadOnlyList<string> Settings { get; private set; } = [];

        public int Times { get; private set; }

        public override string Path => "tools echo";

        public override string GroupDescription => "Handy tools";

        public override string Description => "Echo";

        public override bool AcceptsSettings => true;

        public override void Define(Command command)
        {
            command.Arguments.Add(new Argument<string>("TEXT"));
            command.Options.Add(_times);
        }

        public override Task<int> RunAsync(CliCall call, CancellationToken cancellationToken)
        {
            Arguments = call.Arguments;
            Settings = call.Settings;
            Times = call.Parse.GetValue(_times);
            return Task.FromResult(42);
        }
    }

    private sealed class RunLikeVerb : CliVerb
    {
        public IReadOnlyList<string> Settings { get; private set; } = [];

        public override string Path => "run";

        public override string Description => "Run";

        public override bool AcceptsSettings => true;

        public override Task<int> RunAsync(CliCall call, CancellationToken cancellationToken)
        {
            Settings = call.Settings;
            return Task.FromResult(7);
        }
    }
}
