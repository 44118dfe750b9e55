namespace EdgeGateway.Devices.Anpr;

/// <summary>
/// Hotlist hits as they happen in this vehicle, before anything is stored (the officer alert path). Other
/// features (in-car video's "ANPR hit" trigger) subscribe here; handlers run on the read's thread and must
/// not block (hand the notice to a channel).
/// </summary>
public interface IAnprHitSource
{
    /// <summary>Raised once per alerted hit (suppressed repeats are not raised).</summary>
    event Action<AnprHitNotice>? Hit;
}
