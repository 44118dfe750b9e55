using EdgeGateway.Contracts.V1;

namespace EdgeGateway.Outbox.Leasing;

/// <summary>
/// Decides how many messages of each class one lease batch takes.
/// </summary>
/// <remarks>
/// The rule:
/// <list type="number">
/// <item>Emergency and Alert are urgent: they take every slot they can, before anything else.</item>
/// <item>Of the remaining slots R, every lower class with a backlog and a MinimumShare s earns s*R
/// credit per batch (deficit round robin); it gets one slot per whole credit. Credit is capped at
/// s*R + 1 and forgotten when the class is empty, so a class can neither starve nor hoard.</item>
/// <item>Slots still free go by strict priority: Event, Read, Telemetry, Bulk.</item>
/// </list>
/// So over many batches a backlogged Bulk with share 0.1 receives at least ~10% of the non-urgent
/// slots however deep the Event backlog is, even when the uplink leases one message at a time.
/// </remarks>
internal sealed class LeaseScheduler
{
    /// <summary>Emergency and Alert: the first classes of <see cref="OutboxClassDefaults.All"/>.</summary>
    public const int UrgentClasses = 2;

    /// <summary>The urgent classes as a lease filter (the drain's urgent lane).</summary>
    public static readonly IReadOnlySet<PriorityClass> Urgent = OutboxClassDefaults.All.Take(UrgentClasses).ToHashSet();

    /// <summary>True when a lease filter admits urgent classes only: such a lease is planned by <see cref="PlanUrgent"/>.</summary>
    public static bool IsUrgentOnly(IReadOnlySet<PriorityClass>? classes) =>
        classes is not null && classes.All(Urgent.Contains);

    private readonly double[] _shares;
    private readonly double[] _deficit;

    public LeaseScheduler(IReadOnlyList<OutboxClassSettings> classes)
    {
        _shares = classes.Select(c => c.MinimumShare).ToArray();
        _deficit = new double[classes.Count];
    }

    /// <summary>
    /// Slots for the urgent classes only (the urgent lane's lease), every slot they can take in priority
    /// order. Leaves the lower classes' credit alone: the urgent lane does not count as a batch for them.
    /// </summary>
    public int[] PlanUrgent(int maxCount, IReadOnlyList<long> available)
    {
        var slots = new int[_shares.Length];
        var remaining = maxCount;
        for (var c = 0; c < UrgentClasses && remaining > 0; c++)
        {
            slots[c] = (int)Math.Min(available[c], remaining);
            remaining -= slots[c];
        }

        return slots;
    }

    /// <summary>Slots per class (indexed like <see cref="OutboxClassDefaults.All"/>) for a batch of <paramref name="maxCount"/>.</summary>
    public int[] Plan(int maxCount, IReadOnlyList<long> available)
    {
        var slots = new int[_shares.Length];
        var remaining = maxCount;
        for (var c = 0; c < UrgentClasses && remaining > 0; c++)
        {
            slots[c] = (int)Math.Min(available[c], remaining);
            remaining -= slots[c];
        }

        var rest = remaining;
        for (var c = UrgentClasses; c < _shares.Length; c++)
        {
            if (available[c] <= 0 || _shares[c] <= 0)
            {
                _deficit[c] = 0;
                continue;
            }

            var earned = _shares[c] * rest;
            _deficit[c] = Math.Min(_deficit[c] + earned, earned + 1);
            var take = (int)Math.Min(Math.Min(Math.Floor(_deficit[c]), available[c]), remaining);
            slots[c] += take;
            _deficit[c] -= take;
            remaining -= take;
        }

        for (var c = UrgentClasses; c < _shares.Length && remaining > 0; c++)
        {
            var take = (int)Math.Min(available[c] - slots[c], remaining);
            if (take > 0)
            {
                slots[c] += take;
                remaining -= take;
            }
        }

        return slots;
    }
}
