using EdgeGateway.Contracts.V1;
using EdgeGateway.Outbox.Admission;
using EdgeGateway.Outbox.Policy;
using EdgeGateway.Outbox.Storage;
using Google.Protobuf.WellKnownTypes;

namespace EdgeGateway.Outbox.Housekeeping;

/// <summary>
/// Nothing is lost silently: turns the drops counted since the last report into one
/// <see cref="DataLossReport"/> per class and reason (Event class, stream "data-loss").
/// </summary>
/// <remarks>Not thread-safe: runs with the outbox lock held.</remarks>
internal sealed class DataLossReporter
{
    private readonly OutboxStore _store;
    private readonly EnvelopePolicy _policy;

    public DataLossReporter(OutboxStore store, EnvelopePolicy policy)
    {
        _store = store;
        _policy = policy;
    }

    /// <summary>
    /// Builds the reports for every pending drop and clears them in memory; the caller writes the
    /// reports with the state in one transaction (a failed write reloads the state document, which
    /// still holds the drops). Empty when there is nothing to report.
    /// </summary>
    public List<(PendingEnqueue Item, PriorityClass Priority, string Reason, ulong Count)> TakeReports()
    {
        var state = _store.State;
        var reports = new List<(PendingEnqueue, PriorityClass, string, ulong)>();
        var sequence = state.Sequences.GetValueOrDefault(EnvelopePolicy.DataLossStream);
        foreach (var ((c, reason), loss) in state.PendingLosses)
        {
            var envelope = _policy.NewInternal(EnvelopePolicy.DataLossStream, PriorityClass.Event, ++sequence);
            envelope.DataLoss = new DataLossReport
            {
                Priority = OutboxClassDefaults.PriorityAt(c),
                Reason = reason,
                Count = loss.Count,
                Stream = loss.Stream ?? string.Empty,
            };
            if (loss.FirstCapturedMs <= loss.LastCapturedMs) // unset when no dropped message's capture time could be read
            {
                envelope.DataLoss.FirstCapturedAt = Timestamp.FromDateTimeOffset(DateTimeOffset.FromUnixTimeMilliseconds(loss.FirstCapturedMs));
                envelope.DataLoss.LastCapturedAt = Timestamp.FromDateTimeOffset(DateTimeOffset.FromUnixTimeMilliseconds(loss.LastCapturedMs));
            }

            reports.Add((PendingEnqueue.From(envelope, isInternal: true), OutboxClassDefaults.PriorityAt(c), reason, loss.Count));
        }

        state.PendingLosses.Clear();
        return reports;
    }
}
