namespace EdgeGateway.Hosting.Watchdog;

/// <summary>
/// A hosted service whose loop the watchdog watches. Implementing it is all a service does to take part:
/// <see cref="SystemdWatchdog"/> finds the hosted services that implement it.
/// </summary>
internal interface ILivenessSource
{
    /// <summary>The loop's probe.</summary>
    LivenessProbe Liveness { get; }
}
