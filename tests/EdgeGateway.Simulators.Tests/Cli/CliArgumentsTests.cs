using EdgeGateway.Simulators.Cli;

namespace EdgeGateway.Simulators.Tests.Cli;

public sealed class CliArgumentsTests
{
    private static readonly string[] Values = ["--rate", "--name"];
    private static readonly string[] Flags = ["--once"];

    [Fact]
    public void Parse_ValuesFlagsAndEqualsForm_ReadsAll()
    {
        var args = CliArguments.Parse(["--rate", "2.5", "--once", "--name=x=y"], Values, Flags);

        Assert.Equal(2.5, args.GetDouble("--rate", 1, 0, 10));
        Assert.True(args.Has("--once"));
        Assert.Equal("x=y", args.GetString("--name"));
    }

    [Theory]
    [InlineData(new[] { "--bogus" }, "unknown option --bogus")]
    [InlineData(new[] { "--rate" }, "option --rate needs a value")]
    [InlineData(new[] { "--rate", "1", "--rate", "2" }, "option --rate is given more than once")]
    [InlineData(new[] { "stray" }, "unexpected argument 'stray'")]
    [InlineData(new[] { "--once=yes" }, "option --once takes no value")]
    public void Parse_BadCommandLine_ThrowsNamingTheProblem(string[] argv, string message)
    {
        var e = Assert.Throws<CliUsageException>(() => CliArguments.Parse(argv, Values, Flags));

        Assert.Equal(message, e.Message);
    }

    [Theory]
    [InlineData("abc", "option --rate: 'abc' is not a number")]
    [InlineData("11", "option --rate: 11 is outside 0..10")]
    [InlineData("NaN", "option --rate: 'NaN' is not a number")]
    public void GetDouble_BadValue_ThrowsNamingTheOption(string value, string message)
    {
        var args = CliArguments.Parse(["--rate", value], Values, Flags);

        Assert.Equal(message, Assert.Throws<CliUsageException>(() => args.GetDouble("--rate", 1, 0, 10)).Message);
    }
}
