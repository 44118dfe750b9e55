using System.CommandLine;

namespace EdgeGateway.Cli;

/// <summary>
/// One verb of a program's command line. Adding a verb is one class: derive from this type in the program's
/// assembly (public parameterless constructor) and <see cref="CliApplication"/> finds it; no table to edit.
/// </summary>
/// <remarks>
/// <see cref="Define"/> adds the verb's arguments and options (and sub-commands, each of which runs
/// <see cref="RunAsync"/> too), so <c>--help</c> shows them and System.CommandLine rejects anything else
/// with the shared error format and exit code 2 before the verb runs.
/// </remarks>
public abstract class CliVerb
{
    /// <summary>The words that select the verb, e.g. <c>run</c>, <c>nmea decode</c>; missing group words become groups.</summary>
    public abstract string Path { get; }

    /// <summary>One line for <c>--help</c>.</summary>
    public abstract string Description { get; }

    /// <summary>For a multi-word <see cref="Path"/>: the help line of the group (e.g. <c>nmea</c>) when this verb creates it.</summary>
    public virtual string? GroupDescription => null;

    /// <summary>Whether host configuration overrides (<c>--Section:Key=value</c>) may follow; they arrive in <see cref="CliCall.Settings"/>.</summary>
    public virtual bool AcceptsSettings => false;

    /// <summary>
    /// For a verb that parses its own arguments (an older, strict parser kept as it is): its usage text, printed
    /// for <c>VERB --help</c>. Every token after the verb then reaches <see cref="CliCall.Arguments"/> unparsed.
    /// Null (the default) for verbs defined with System.CommandLine.
    /// </summary>
    public virtual string? OwnUsage => null;

    /// <summary>Adds the verb's arguments, options and sub-commands.</summary>
    public virtual void Define(Command command)
    {
    }

    /// <summary>Runs the verb; returns the process exit code.</summary>
    public abstract Task<int> RunAsync(CliCall call, CancellationToken cancellationToken);
}
