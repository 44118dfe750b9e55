namespace EdgeGateway.Cli;

/// <summary>
/// Exit codes every binary shares. Verbs may add their own above <see cref="Usage"/> (e.g. <c>health</c>'s
/// stale and degraded codes); the service's codes follow sysexits.h so systemd units can act on them.
/// </summary>
public static class CliExit
{
    /// <summary>Done.</summary>
    public const int Ok = 0;

    /// <summary>The command ran and failed (a file unreadable, a check that did not pass).</summary>
    public const int Failure = 1;

    /// <summary>The command line is wrong: an unknown verb or option, a missing or malformed value.</summary>
    public const int Usage = 2;

    /// <summary>EX_SOFTWARE: a fatal internal error stopped the service (systemd restarts it).</summary>
    public const int Software = 70;

    /// <summary>EX_TEMPFAIL: a resource is held by another instance (a data directory, a lock).</summary>
    public const int TempFail = 75;

    /// <summary>EX_CONFIG: the configuration is invalid; systemd is told not to restart (RestartPreventExitStatus=78).</summary>
    public const int Config = 78;
}
