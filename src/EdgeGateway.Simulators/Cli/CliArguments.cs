using System.Globalization;

namespace EdgeGateway.Simulators.Cli;

/// <summary>
/// A small, strict parser for <c>--name value</c> and <c>--flag</c> options. Unknown options, missing
/// values, repeated options and stray positional arguments are <see cref="CliUsageException"/>s that name
/// the option. <c>--name=value</c> is accepted too.
/// </summary>
internal sealed class CliArguments
{
    private readonly Dictionary<string, string?> _values = new(StringComparer.Ordinal);

    private CliArguments()
    {
    }

    /// <summary>Parses <paramref name="args"/>; <paramref name="valueOptions"/> take a value, <paramref name="flagOptions"/> do not.</summary>
    public static CliArguments Parse(IReadOnlyList<string> args, IReadOnlyCollection<string> valueOptions, IReadOnlyCollection<string> flagOptions)
    {
        var parsed = new CliArguments();
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (!arg.StartsWith("--", StringComparison.Ordinal) || arg.Length == 2)
            {
                throw new CliUsageException($"unexpected argument '{arg}'");
            }

            string name;
            string? inlineValue = null;
            var equals = arg.IndexOf('=', StringComparison.Ordinal);
            if (equals > 0)
            {
                name = arg[..equals];
                inlineValue = arg[(equals + 1)..];
            }
            else
            {
                name = arg;
            }

            if (parsed._values.ContainsKey(name))
            {
                throw new CliUsageException($"option {name} is given more than once");
            }

            if (valueOptions.Contains(name))
            {
                if (inlineValue is null)
                {
                    if (i + 1 >= args.Count)
                    {
                        throw new CliUsageException($"option {name} needs a value");
                    }

                    inlineValue = args[++i];
                }

                parsed._values[name] = inlineValue;
            }
            else if (flagOptions.Contains(name))
            {
                if (inlineValue is not null)
                {
                    throw new CliUsageException($"option {name} takes no value");
                }

                parsed._values[name] = null;
            }
            else
            {
                throw new CliUsageException($"unknown option {name}");
            }
        }

        return parsed;
    }

    /// <summary>Whether the option (flag or valued) was given.</summary>
    public bool Has(string name) => _values.ContainsKey(name);

    /// <summary>The option's value, or null when absent.</summary>
    public string? GetString(string name) => _values.TryGetValue(name, out var value) ? value : null;

    /// <summary>The option as a number within [min, max], or <paramref name="fallback"/> when absent.</summary>
    public double GetDouble(string name, double fallback, double min, double max)
    {
        var text = GetString(name);
        if (text is null)
        {
            return fallback;
        }

        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !double.IsFinite(value))
        {
            throw new CliUsageException($"option {name}: '{text}' is not a number");
        }

        if (value < min || value > max)
        {
            throw new CliUsageException(string.Create(CultureInfo.InvariantCulture, $"option {name}: {text} is outside {min}..{max}"));
        }

        return value;
    }

    /// <summary>The option as a whole number within [min, max], or null when absent.</summary>
    public long? GetInt64(string name, long min, long max)
    {
        var text = GetString(name);
        if (text is null)
        {
            return null;
        }

        if (!long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value))
        {
            throw new CliUsageException($"option {name}: '{text}' is not a whole number");
        }

        if (value < min || value > max)
        {
            throw new CliUsageException(string.Create(CultureInfo.InvariantCulture, $"option {name}: {text} is outside {min}..{max}"));
        }

        return value;
    }
}
