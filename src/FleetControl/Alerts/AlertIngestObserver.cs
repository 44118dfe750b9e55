using EdgeGateway.Contracts.V1;

namespace FleetControl.Alerts;

/// <summary>
/// Message rules, applied to each committed batch by the ingest writer: emergency and alert-class messages
/// and data-loss reports. The alert id carries the message id, so a redelivered message raises nothing new.
/// </summary>
internal sealed class AlertIngestObserver(AlertService alerts) : Store.IUrgentFoldObserver
{
    /// <summary>The LiteDB store folded journaled urgent envelopes (acknowledged already): raise their alerts now.</summary>
    public void OnFolded(IReadOnlyList<Envelope> envelopes) => OnStored(envelopes);

    public void OnStored(IReadOnlyList<Envelope> envelopes)
    {
        foreach (var envelope in envelopes)
        {
            switch (envelope.Priority)
            {
                case PriorityClass.Emergency:
                    alerts.Raise(AlertRules.Emergency, envelope.MessageId, envelope.DeviceId, "critical", $"{envelope.DeviceId}: EMERGENCY {Describe(envelope)}");
                    continue;
                case PriorityClass.Alert:
                    alerts.Raise(AlertRules.AlertMessage, envelope.MessageId, envelope.DeviceId, "major", $"{envelope.DeviceId}: alert {Describe(envelope)}");
                    continue;
            }

            if (envelope.BodyCase == Envelope.BodyOneofCase.DataLoss)
            {
                var loss = envelope.DataLoss;
                alerts.Raise(AlertRules.DataLoss, envelope.MessageId, envelope.DeviceId, "major",
                    $"{envelope.DeviceId}: {loss.Count} {loss.Priority} message(s) {loss.Reason} on stream '{loss.Stream}'");
            }
        }
    }

    private static string Describe(Envelope envelope) => envelope.BodyCase switch
    {
        Envelope.BodyOneofCase.Event => $"{envelope.Event.Type} {envelope.Event.Detail}".Trim(),
        Envelope.BodyOneofCase.AnprHit => $"ANPR hit {envelope.AnprHit.Read.Vrm} on {envelope.AnprHit.List} ({envelope.AnprHit.Match}): {envelope.AnprHit.Reason}",
        _ => $"{envelope.Stream} message",
    };
}
