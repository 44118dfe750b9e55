using System.CommandLine;

namespace EdgeGateway.Cli;

/// <summary>What a verb receives when it runs: the parse, its own arguments, the configuration overrides and the console.</summary>
public sealed class CliCall
{
    internal CliCall(ParseResult parse, IReadOnlyList<string> arguments, IReadOnlyList<string> settings, TextReader input, TextWriter output, TextWriter error)
    {
        Parse = parse;
        Arguments = arguments;
        Settings = settings;
        Input = input;
        Output = output;
        Error = error;
    }

    /// <summary>The System.CommandLine parse, for typed values (<c>Parse.GetValue(option)</c>).</summary>
    public ParseResult Parse { get; }

    /// <summary>
    /// The verb's own tokens after its name (sub-verb words, arguments, options; <c>--name=value</c> split into
    /// two tokens), without the configuration overrides. Already validated against the verb's definition.
    /// </summary>
    public IReadOnlyList<string> Arguments { get; }

    /// <summary>Configuration overrides in the host's form (<c>--Section:Key=value</c>); empty unless the verb accepts them.</summary>
    public IReadOnlyList<string> Settings { get; }

    /// <summary>Standard input.</summary>
    public TextReader Input { get; }

    /// <summary>Standard output: results, machine-readable lines.</summary>
    public TextWriter Output { get; }

    /// <summary>Standard error: diagnostics.</summary>
    public TextWriter Error { get; }

    /// <summary>The name of the sub-command that was chosen under the verb (e.g. <c>add</c> for <c>accounts add</c>), or null.</summary>
    public string? SubVerb => Parse.CommandResult.Command.Name is var name && Arguments.Count > 0 && Arguments[0] == name ? name : null;
}
