namespace FleetCtl;

/// <summary>fleetctl's exit codes, for scripts.</summary>
internal static class ExitCodes
{
    /// <summary>Done; for a waited command, it succeeded.</summary>
    public const int Ok = 0;

    /// <summary>Bad arguments or a request FleetControl refused as invalid (HTTP 400).</summary>
    public const int Usage = 2;

    /// <summary>The device, command, alert or evidence item does not exist (HTTP 404).</summary>
    public const int NotFound = 3;

    /// <summary>The command failed or expired, or the rollout stopped.</summary>
    public const int CommandFailed = 4;

    /// <summary>Still not final when the wait ended.</summary>
    public const int Timeout = 5;

    /// <summary>Evidence verification found a problem.</summary>
    public const int VerificationFailed = 6;

    /// <summary>FleetControl unreachable or answered with a server error.</summary>
    public const int Unavailable = 7;

    /// <summary>Not signed in (no, an unknown or an expired token: HTTP 401) or the account's role does not allow it (403).</summary>
    public const int NotAllowed = 8;
}
