using EdgeGateway.Contracts.V1;
using FleetControl.Ingest;

namespace FleetControl.Updates;

/// <summary>
/// Wakes the update rollouts when a device's <c>update.committed</c> or <c>update.rolled-back</c> event is stored
/// (the rollouts read the outcome back from the fleet store, so a redelivered event is harmless).
/// </summary>
internal sealed class UpdateOutcomeObserver(UpdateRolloutService rollouts) : IIngestObserver
{
    public void OnStored(IReadOnlyList<Envelope> envelopes)
    {
        if (envelopes.Any(e => e.BodyCase == Envelope.BodyOneofCase.Event && e.Event.Type.StartsWith(UpdateRolloutService.EventPrefix, StringComparison.Ordinal)))
        {
            rollouts.Wake();
        }
    }
}
