namespace FleetControl.Commands;

/// <summary>
/// The durable command queue and history, each device's desired and reported configuration version, and
/// rollouts. <see cref="LiteDbCommandStore"/> (<c>commands.db</c> in the data directory, one instance) by
/// default; <see cref="PostgreSqlCommandStore"/> under <c>Store:Provider=PostgreSql</c>, shared by every
/// instance, so a command queued through one instance is delivered and answered through any other. Every
/// write is durable when the call returns; a final state never changes.
/// </summary>
internal abstract class CommandStore : IDisposable
{
    /// <summary>File name of the LiteDB store inside FleetControl's data directory.</summary>
    public const string FileName = "commands.db";

    /// <summary>Stores a new command. Returns false (storing nothing) when its id is already known.</summary>
    public abstract bool Add(CommandRecord record);

    /// <summary>One command, or null.</summary>
    public abstract CommandRecord? Get(string commandId);

    /// <summary>A device's commands, newest first.</summary>
    public abstract IReadOnlyList<CommandRecord> ListForDevice(string deviceId, int limit);

    /// <summary>
    /// A device's commands still to deliver or without a final answer (Queued, Sent or Accepted), oldest first.
    /// Accepted ones are re-sent too: a device that restarted before its answer got through answers again from
    /// its record of completed ids (or runs it, once, if it never finished).
    /// </summary>
    public abstract IReadOnlyList<CommandRecord> Undelivered(string deviceId);

    /// <summary>Every command not final whose expiry is at or before <paramref name="now"/> and that the device has not started.</summary>
    public abstract IReadOnlyList<CommandRecord> DueForExpiry(DateTimeOffset now);

    /// <summary>Earliest expiry among commands that can still expire, or null.</summary>
    public abstract DateTimeOffset? NextExpiry();

    /// <summary>
    /// Moves a command to <paramref name="state"/> unless it is already final (a final state never changes,
    /// so a late or repeated device answer is a no-op). Returns the updated record, or null when nothing changed.
    /// </summary>
    public abstract CommandRecord? Transition(string commandId, CommandState state, string reason, DateTimeOffset at, IReadOnlyDictionary<string, string>? details = null);

    /// <summary>A device's configuration versions (desired as set in FleetControl, reported by the device).</summary>
    public abstract DeviceConfiguration GetConfiguration(string deviceId);

    /// <summary>Stores a device's configuration record.</summary>
    public abstract void PutConfiguration(DeviceConfiguration configuration);

    /// <summary>Stores a rollout's current state durably (after every step, so a restart resumes it).</summary>
    public abstract void PutRollout(Rollout rollout);

    /// <summary>Every stored rollout, newest first.</summary>
    public abstract IReadOnlyList<Rollout> ListRollouts();

    /// <summary>
    /// The right to drive <paramref name="rolloutId"/> (send its commands, move its stages) until the returned lease
    /// is disposed, or null while another instance holds it. One instance alone always gets it.
    /// </summary>
    public virtual IDisposable? TryLeaseRollout(string rolloutId) => NoLease.Instance;

    public void Dispose()
    {
        Dispose(disposing: true);
        GC.SuppressFinalize(this);
    }

    protected virtual void Dispose(bool disposing)
    {
    }

    /// <summary>The next state of <paramref name="current"/>, or null when it is final or already there (shared by both stores).</summary>
    protected static CommandRecord? Next(CommandRecord current, CommandState state, string reason, DateTimeOffset at, IReadOnlyDictionary<string, string>? details) =>
        current.IsFinal || current.State == state
            ? null
            : current with
            {
                State = state,
                Reason = reason,
                Details = details is null || details.Count == 0 ? current.Details : details,
                History = [.. current.History, new CommandTransition(at, state, reason)],
            };

    private sealed class NoLease : IDisposable
    {
        public static readonly NoLease Instance = new();

        public void Dispose()
        {
        }
    }
}
