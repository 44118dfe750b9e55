namespace EdgeGateway.Evidence;

/// <summary>What a fresh scan of every bay found (the rescan-bays command's answer).</summary>
/// <param name="Docked">Bays holding a camera.</param>
/// <param name="Recordings">Recordings on the docked cameras, offloaded or not.</param>
/// <param name="Pending">Recordings still to offload that were not already running.</param>
/// <param name="Unaccepted">Files on the cameras that are not offloaded, each with its reason in the dock status.</param>
/// <param name="Retried">Recordings whose failure backoff the rescan cut short.</param>
internal sealed record BayRescan(int Docked, int Recordings, int Pending, int Unaccepted, int Retried);
