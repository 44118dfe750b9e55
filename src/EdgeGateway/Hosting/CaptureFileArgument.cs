namespace EdgeGateway.Hosting;

/// <summary>The FILE argument of the decode commands (<c>nmea decode</c>, <c>at decode</c>): checked and read whole.</summary>
internal static class CaptureFileArgument
{
    /// <summary>
    /// Reads the one file named in <paramref name="args"/>. Returns the bytes, or null with
    /// the exit code set (2 bad arguments, after printing <paramref name="usage"/>; 1 unreadable file).
    /// </summary>
    public static async Task<(byte[]? Bytes, int ExitCode)> ReadAsync(string[] args, string usage, string command, TextWriter error, CancellationToken cancellationToken)
    {
        if (args.Length != 1 || string.IsNullOrWhiteSpace(args[0]) || args[0].StartsWith('-'))
        {
            await error.WriteLineAsync(usage.AsMemory(), cancellationToken).ConfigureAwait(false);
            return (null, 2);
        }

        try
        {
            return (await File.ReadAllBytesAsync(args[0], cancellationToken).ConfigureAwait(false), 0);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            await error.WriteLineAsync($"{command}: cannot read '{args[0]}': {ex.Message}".AsMemory(), cancellationToken).ConfigureAwait(false);
            return (null, 1);
        }
    }
}
