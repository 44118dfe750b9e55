namespace EdgeGateway.Devices.Modem;

/// <summary>The answer to one command: how it ended, and its information lines in order.</summary>
/// <param name="Final">The final result code, or <see cref="AtFinalKind.Timeout"/> / <see cref="AtFinalKind.Closed"/>.</param>
/// <param name="ErrorCode">The number of a <c>+CME ERROR</c>/<c>+CMS ERROR</c>; -1 otherwise.</param>
/// <param name="Lines">Information lines (without line ends), echoes removed.</param>
internal sealed record AtResponse(AtFinalKind Final, int ErrorCode, IReadOnlyList<string> Lines)
{
    /// <summary>Ended in <c>OK</c>.</summary>
    public bool IsOk => Final == AtFinalKind.Ok;

    /// <summary>The first line with prefix <c>+NAME</c> (any prefix character), or null.</summary>
    public string? LineOf(string name)
    {
        foreach (var line in Lines)
        {
            if (line.Length > name.Length + 1 && string.Compare(line, 1, name, 0, name.Length, StringComparison.OrdinalIgnoreCase) == 0
                && line[name.Length + 1] is ':' or ' ')
            {
                return line;
            }
        }

        return null;
    }

    /// <summary>How it ended, for logs: <c>OK</c>, <c>+CME ERROR: 35</c>, <c>timeout</c>.</summary>
    public override string ToString() => Final switch
    {
        AtFinalKind.CmeError => $"+CME ERROR: {ErrorCode}",
        AtFinalKind.CmsError => $"+CMS ERROR: {ErrorCode}",
        _ => Final.ToString(),
    };
}
