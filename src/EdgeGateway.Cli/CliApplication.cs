using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Parsing;
using System.Diagnostics.CodeAnalysis;
using System.Reflection;

namespace EdgeGateway.Cli;

/// <summary>
/// A program's command line: its <see cref="CliVerb"/>s under one root with <c>--help</c> and <c>--version</c>,
/// the default verb (<c>run</c>) when no verb is named, and one error format for every mistake:
/// <c>PROGRAM: error: MESSAGE</c>, a pointer to <c>--help</c>, exit <see cref="CliExit.Usage"/>.
/// </summary>
public sealed class CliApplication
{
    private readonly string _programName;
    private readonly CliVerb? _defaultVerb;

    /// <summary>Builds the command tree from <paramref name="verbs"/>; <paramref name="defaultVerb"/> runs when no verb is named.</summary>
    public CliApplication(string programName, string description, IEnumerable<CliVerb> verbs, string defaultVerb = "run")
    {
        _programName = programName;
        Root = new Command(programName, description) { new HelpOption(), new VersionOption() };
        foreach (var verb in verbs.OrderBy(v => v.Path, StringComparer.Ordinal))
        {
            Add(verb);
            if (verb.Path == defaultVerb)
            {
                _defaultVerb = verb;
            }
        }

        if (_defaultVerb is not null)
        {
            // `PROGRAM --Section:Key=value` is `PROGRAM run --Section:Key=value`.
            Root.SetAction((parse, ct) => InvokeAsync(_defaultVerb, 0, parse, ct));
        }
    }

    /// <summary>The root command (for help-text tests and documentation).</summary>
    public Command Root { get; }

    private TextReader _input = TextReader.Null;
    private TextWriter _output = TextWriter.Null;
    private TextWriter _error = TextWriter.Null;
    private IReadOnlyList<string> _settings = [];
    private readonly Dictionary<string, CliVerb> _ownParsers = new(StringComparer.Ordinal);

    /// <summary>Every concrete <see cref="CliVerb"/> in <paramref name="assembly"/>, created once each.</summary>
    /// <remarks>
    /// A program published trimmed or with NativeAOT must keep its own assembly whole (TrimmerRootAssembly, as
    /// src/EdgeGateway/EdgeGateway.csproj does), so every verb type and its parameterless constructor stays.
    /// </remarks>
    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = "Programs that trim root their own assembly (see remarks).")]
    [UnconditionalSuppressMessage("Trimming", "IL2070", Justification = "Programs that trim root their own assembly (see remarks).")]
    [UnconditionalSuppressMessage("Trimming", "IL2067", Justification = "Programs that trim root their own assembly (see remarks).")]
    public static IReadOnlyList<CliVerb> DiscoverVerbs(Assembly assembly) =>
        [.. assembly.GetTypes()
            .Where(t => t.IsSubclassOf(typeof(CliVerb)) && !t.IsAbstract && t.GetConstructor(Type.EmptyTypes) is not null)
            .Select(t => (CliVerb)Activator.CreateInstance(t)!)];

    /// <summary>Parses <paramref name="args"/> and runs the chosen verb; returns the process exit code. One run per instance at a time.</summary>
    public async Task<int> RunAsync(IReadOnlyList<string> args, TextReader input, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        _input = input;
        _output = output;
        _error = error;
        var (rest, settings, problem) = CliSettings.Extract(args);
        if (problem is not null)
        {
            return await UsageErrorAsync(Root, problem).ConfigureAwait(false);
        }

        _settings = settings;
        if (rest.Count == 0 && _defaultVerb is null)
        {
            // Nothing to run: the overview, on stderr, as a usage error.
            await Root.Parse(["--help"]).InvokeAsync(new InvocationConfiguration { Output = error }, cancellationToken).ConfigureAwait(false);
            return CliExit.Usage;
        }

        if (rest is [var verbWord, ..] && !verbWord.StartsWith('-') && Root.Subcommands.All(c => c.Name != verbWord))
        {
            return await UsageErrorAsync(Root, $"unknown command '{verbWord}'").ConfigureAwait(false);
        }

        if (rest.Count > 0 && _ownParsers.TryGetValue(rest[0], out var own) && rest.Skip(1).Any(a => a is "-h" or "--help"))
        {
            await output.WriteLineAsync(own.OwnUsage).ConfigureAwait(false);
            return CliExit.Ok;
        }

        // No response files (@file would be read as arguments) and no POSIX bundling: tokens mean what they say.
        var parse = Root.Parse(rest, new ParserConfiguration { ResponseFileTokenReplacer = null, EnablePosixBundling = false });
        var asksForHelp = args.Any(a => a is "-h" or "--help" or "-?" or "/?" or "/h");
        if (parse.Errors.Count > 0 && !asksForHelp)
        {
            return await UsageErrorAsync(parse.CommandResult.Command, parse.Errors[0].Message).ConfigureAwait(false);
        }

        // The verbs own their signals: the service's host stops cleanly on SIGTERM, and must not be cut
        // short by System.CommandLine's own termination timeout. Exceptions are the verb's to report.
        var invocation = new InvocationConfiguration
        {
            Output = output,
            Error = error,
            EnableDefaultExceptionHandler = false,
            ProcessTerminationTimeout = null,
        };
        return await parse.InvokeAsync(invocation, cancellationToken).ConfigureAwait(false);
    }

    private void Add(CliVerb verb)
    {
        var words = verb.Path.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var parent = Root;
        foreach (var word in words[..^1])
        {
            var group = parent.Subcommands.FirstOrDefault(c => c.Name == word);
            if (group is null)
            {
                group = new Command(word, verb.GroupDescription ?? $"{word} commands");
                parent.Subcommands.Add(group);
            }

            parent = group;
        }

        var command = new Command(words[^1], verb.Description);
        if (verb.OwnUsage is not null && words.Length == 1)
        {
            // Everything after the verb is the verb's to parse (and to reject).
            command.Arguments.Add(new Argument<string[]>("options") { Arity = ArgumentArity.ZeroOrMore, Description = $"see '{_programName} {verb.Path} --help'" });
            command.TreatUnmatchedTokensAsErrors = false;
            _ownParsers[verb.Path] = verb;
        }

        verb.Define(command);
        parent.Subcommands.Add(command);
        Attach(verb, words.Length, command);
    }

    // Every command of the verb without sub-commands runs the verb; groups without an action ask for a sub-command.
    private void Attach(CliVerb verb, int depth, Command command)
    {
        if (command.Subcommands.Count == 0 && command.Action is null)
        {
            command.SetAction((parse, ct) => InvokeAsync(verb, depth, parse, ct));
        }

        foreach (var sub in command.Subcommands)
        {
            Attach(verb, depth, sub);
        }
    }

    private async Task<int> InvokeAsync(CliVerb verb, int depth, ParseResult parse, CancellationToken cancellationToken)
    {
        if (_settings.Count > 0 && !verb.AcceptsSettings)
        {
            return await UsageErrorAsync(parse.CommandResult.Command, $"'{verb.Path}' takes no configuration settings ({_settings[0]})").ConfigureAwait(false);
        }

        // The verb's own tokens: those after its name (the depth-th command word).
        var tokens = parse.Tokens.Select(t => t.Value).ToList();
        var commandWords = 0;
        var start = 0;
        for (var i = 0; i < parse.Tokens.Count && commandWords < depth; i++)
        {
            if (parse.Tokens[i].Type == TokenType.Command)
            {
                commandWords++;
                start = i + 1;
            }
        }

        var call = new CliCall(parse, [.. tokens.Skip(start)], _settings, _input, _output, _error);
        return await verb.RunAsync(call, cancellationToken).ConfigureAwait(false);
    }

    private async Task<int> UsageErrorAsync(Command command, string message)
    {
        var path = CommandPath(command);
        await _error.WriteLineAsync($"{_programName}: error: {message}").ConfigureAwait(false);
        await _error.WriteLineAsync($"Run '{path} --help' for usage.").ConfigureAwait(false);
        return CliExit.Usage;
    }

    private string CommandPath(Command command)
    {
        var words = new List<string>();
        for (var c = command; c is not null && c != Root; c = FindParent(Root, c))
        {
            words.Insert(0, c.Name);
        }

        words.Insert(0, _programName);
        return string.Join(' ', words);
    }

    private static Command? FindParent(Command from, Command child)
    {
        foreach (var sub in from.Subcommands)
        {
            if (sub == child)
            {
                return from;
            }

            if (FindParent(sub, child) is { } found)
            {
                return found;
            }
        }

        return null;
    }
}
