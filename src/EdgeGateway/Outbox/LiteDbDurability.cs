using System.Reflection;
using LiteDB;

namespace EdgeGateway.Outbox;

/// <summary>
/// Makes a LiteDB commit durable before the outbox says "Accepted".
/// </summary>
/// <remarks>
/// LiteDB 5.0.x commits by handing the transaction's pages to an in-process writer queue
/// (<c>DiskWriterQueue</c>) that writes them to the <c>-log.db</c> file on a background task and
/// then flushes to disk (<c>Flush(true)</c>). <c>Commit()</c> can return before that has happened,
/// so a SIGKILL or power cut just after an "accepted" enqueue could lose it. LiteDB has no public
/// "wait for the writer" call, so this reaches the queue's <c>Wait()</c> by reflection (checked at
/// open); if the internals ever change, every durable commit falls back to the public
/// <c>Checkpoint()</c> (slower, equally safe). Because all messages committed together share that
/// one flush, concurrent enqueues get group commit for free.
/// </remarks>
internal sealed class LiteDbDurability
{
    private readonly LiteDatabase _database;
    private readonly object? _lazyQueue;
    private readonly PropertyInfo? _lazyValue;
    private readonly MethodInfo? _wait;

    private LiteDbDurability(LiteDatabase database, object? lazyQueue, PropertyInfo? lazyValue, MethodInfo? wait, string? failure)
    {
        _database = database;
        _lazyQueue = lazyQueue;
        _lazyValue = lazyValue;
        _wait = wait;
        FallbackReason = failure;
    }

    /// <summary>Why the checkpoint fall-back is in use (null when the writer queue is reachable).</summary>
    public string? FallbackReason { get; }

    public static LiteDbDurability For(LiteDatabase database)
    {
        const BindingFlags Any = BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic;
        try
        {
            var engine = typeof(LiteDatabase).GetField("_engine", Any)?.GetValue(database)
                ?? throw new MissingFieldException("LiteDatabase._engine");
            var disk = engine.GetType().GetField("_disk", Any)?.GetValue(engine)
                ?? throw new MissingFieldException("LiteEngine._disk");
            var lazy = disk.GetType().GetProperty("Queue", Any)?.GetValue(disk)
                ?? throw new MissingMemberException("DiskService.Queue");
            var value = lazy.GetType().GetProperty("Value") ?? throw new MissingMemberException("Lazy.Value");
            var wait = value.PropertyType.GetMethod("Wait", Any, Type.EmptyTypes)
                ?? throw new MissingMethodException("DiskWriterQueue.Wait");
            return new LiteDbDurability(database, lazy, value, wait, null);
        }
        catch (Exception ex) when (ex is MemberAccessException or InvalidOperationException or TargetException or ArgumentException)
        {
            return new LiteDbDurability(database, null, null, null, ex.Message);
        }
    }

    /// <summary>Blocks until everything committed so far is written and flushed to the log file.</summary>
    public void WaitForDisk()
    {
        if (_wait is null || _lazyValue is null || _lazyQueue is null)
        {
            _database.Checkpoint();
            return;
        }

        try
        {
            _wait.Invoke(_lazyValue.GetValue(_lazyQueue), null);
        }
        catch (TargetInvocationException ex) when (ex.InnerException is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(ex.InnerException);
        }
    }
}
