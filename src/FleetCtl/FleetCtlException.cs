namespace FleetCtl;

/// <summary>An error to print (one line on stderr) and the exit code it maps to.</summary>
internal sealed class FleetCtlException(int exitCode, string message) : Exception(message)
{
    public int ExitCode { get; } = exitCode;
}
