namespace EdgeGateway.Time;

/// <summary>
/// How far one evidence item's custody log has caught up with the <see cref="ClockStepJournal"/>. Shared by every
/// <c>CustodyLog</c> opened on the item in this process, so a step is written to the item once.
/// </summary>
internal sealed class ClockStepCursor(ClockStepJournal journal, int recorded)
{
    private readonly Lock _gate = new();

    public ClockStepJournal Journal { get; } = journal;

    /// <summary>Checks the clocks and returns the steps the item has not recorded yet, marking them recorded.</summary>
    public IReadOnlyList<ClockStep> TakeNew()
    {
        Journal.Check();
        lock (_gate)
        {
            var steps = Journal.Since(recorded);
            recorded += steps.Count;
            return steps;
        }
    }
}
