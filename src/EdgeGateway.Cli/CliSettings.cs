namespace EdgeGateway.Cli;

/// <summary>
/// Takes the host configuration overrides out of a command line before it is parsed:
/// <c>--Section:Key=value</c>, <c>--Section:Key value</c>, and the host's own keys (<c>--environment</c>,
/// <c>--contentRoot</c>, <c>--applicationName</c>, <c>--urls</c>). What is left is parsed strictly, so a typo in
/// an option is reported instead of being ignored.
/// </summary>
internal static class CliSettings
{
    private static readonly HashSet<string> HostKeys = new(StringComparer.OrdinalIgnoreCase) { "environment", "contentRoot", "applicationName", "urls" };

    /// <summary>Splits <paramref name="args"/> into the tokens to parse and the overrides (each as <c>--Key=value</c>).</summary>
    public static (IReadOnlyList<string> Remaining, IReadOnlyList<string> Settings, string? Error) Extract(IReadOnlyList<string> args)
    {
        var rest = new List<string>(args.Count);
        var settings = new List<string>();
        for (var i = 0; i < args.Count; i++)
        {
            var token = args[i];
            if (token == "--")
            {
                rest.AddRange(args.Skip(i));
                break;
            }

            var body = token.StartsWith("--", StringComparison.Ordinal) ? token[2..] : null;
            var equals = body?.IndexOf('=', StringComparison.Ordinal) ?? -1;
            var key = equals >= 0 ? body![..equals] : body;
            if (key is null || !IsSettingKey(key))
            {
                rest.Add(token);
            }
            else if (equals >= 0)
            {
                settings.Add(token);
            }
            else if (i + 1 < args.Count && !args[i + 1].StartsWith("--", StringComparison.Ordinal))
            {
                settings.Add($"--{key}={args[++i]}");
            }
            else
            {
                return ([], [], $"setting '{token}' needs a value (--{key}=value)");
            }
        }

        return (rest, settings, null);
    }

    private static bool IsSettingKey(string key) =>
        HostKeys.Contains(key) || (key.Contains(':', StringComparison.Ordinal) && !key.StartsWith(':') && !key.EndsWith(':'));
}
