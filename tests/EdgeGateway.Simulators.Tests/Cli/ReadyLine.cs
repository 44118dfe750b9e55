namespace EdgeGateway.Simulators.Tests.Cli;

/// <summary>Parses <c>READY key=value ...</c> the way a launcher would.</summary>
internal static class ReadyLine
{
    public static IReadOnlyDictionary<string, string> Parse(string line)
    {
        var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("READY", parts[0]);
        return parts.Skip(1).Select(p => p.Split('=', 2)).ToDictionary(p => p[0], p => p[1]);
    }
}
