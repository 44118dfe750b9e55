using EdgeGateway.Devices.Lte;

namespace EdgeGateway.Devices.InCarVideo.Recording.Bearers;

/// <summary>
/// Which bearer may carry a clip now. Clips go over gRPC on the host's IP route (LTE on the road, the depot's network in
/// the yard), not through the outbox, so the policy sits here, in the design card's terms: a critical clip (a
/// <see cref="VideoOptions.CriticalSources"/> trigger: crash, radio emergency, ...) may use LTE, the rest only the depot
/// network (<see cref="DepotDetector"/>). With no depot condition configured the policy is off: every clip uploads over
/// any link. A critical clip waits too while the LTE modem reports no bearer and the vehicle is not at the depot
/// (only when a modem is read, <c>Lte:Enabled</c>).
/// </summary>
internal sealed class ClipBearerPolicy
{
    private readonly DepotDetector _depot;
    private readonly ILteLink? _lte;

    public ClipBearerPolicy(DepotDetector depot, ILteLink? lte = null)
    {
        _depot = depot;
        _lte = lte;
        _depot.Changed += _ => Changed?.Invoke();
        if (_lte is not null)
        {
            _lte.StateChanged += _ => Changed?.Invoke();
        }
    }

    /// <summary>Raised when a held clip might be allowed now (the depot or the LTE bearer changed).</summary>
    public event Action? Changed;

    /// <summary>True when the policy holds back clips at all.</summary>
    public bool Active => _depot.Configured;

    /// <summary>True once the depot condition is known (the first depot check is done, or no depot is configured).</summary>
    public bool Settled => _depot.Checked;

    /// <summary>True while the vehicle is at the depot.</summary>
    public bool AtDepot => _depot.AtDepot;

    /// <summary>Whether a clip (critical or not) may upload now, and if not, what it waits for.</summary>
    public (bool Allowed, string WaitsFor) MayUpload(bool critical) => Decide(Active, _depot.AtDepot, critical, _lte is null ? null : _lte.Status.State != LteBearerState.Unavailable);

    /// <summary>The rule, pure: <paramref name="lteUp"/> is null when no modem is read (LTE is then assumed).</summary>
    internal static (bool Allowed, string WaitsFor) Decide(bool active, bool atDepot, bool critical, bool? lteUp) =>
        !active || atDepot ? (true, string.Empty)
        : !critical ? (false, "depot")
        : lteUp is false ? (false, "lte")
        : (true, string.Empty);
}
