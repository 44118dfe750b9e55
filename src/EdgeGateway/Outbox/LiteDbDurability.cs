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
/// "wait for the writer" call, so this reaches the queue's <c>Wait()</c> by reflection (resolved
/// on every call, because <c>Rebuild()</c> replaces the engine's disk service); if the internals
/// ever change, every durable commit falls back to the public <c>Checkpoint()</c> (slower, equally
/// safe). All messages committed together share that one flush: group commit.
/// </remarks>
internal sealed class LiteDbDurability
{
    private const BindingFlags Any = BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic;

    private readonly LiteDatabase _database;
    private readonly FieldInfo? _engineField;
    private readonly FieldInfo? _diskField;
    private readonly PropertyInfo? _queueProperty;
    private readonly PropertyInfo? _lazyValue;
    private readonly MethodInfo? _wait;

    private LiteDbDurability(LiteDatabase database)
    {
        _database = database;
        try
        {
            _engineField = typeof(LiteDatabase).GetField("_engine", Any) ?? throw new MissingFieldException("LiteDatabase._engine");
            var engine = _engineField.GetValue(database) ?? throw new MissingFieldException("LiteDatabase._engine is null");
            _diskField = engine.GetType().GetField("_disk", Any) ?? throw new MissingFieldException("LiteEngine._disk");
            _queueProperty = _diskField.FieldType.GetProperty("Queue", Any) ?? throw new MissingMemberException("DiskService.Queue");
            _lazyValue = _queueProperty.PropertyType.GetProperty("Value") ?? throw new MissingMemberException("Lazy<DiskWriterQueue>.Value");
            _wait = _lazyValue.PropertyType.GetMethod("Wait", Any, Type.EmptyTypes) ?? throw new MissingMethodException("DiskWriterQueue.Wait");
        }
        catch (Exception ex) when (ex is MemberAccessException or InvalidOperationException or TargetException or ArgumentException)
        {
            _wait = null;
            FallbackReason = ex.Message;
        }
    }

    /// <summary>Why the checkpoint fall-back is in use (null when the writer queue is reachable).</summary>
    public string? FallbackReason { get; }

    public static LiteDbDurability For(LiteDatabase database) => new(database);

    /// <summary>Blocks until everything committed so far is written and flushed to the log file.</summary>
    public void WaitForDisk()
    {
        if (_wait is null)
        {
            _database.Checkpoint();
            return;
        }

        try
        {
            var engine = _engineField!.GetValue(_database);
            var disk = _diskField!.GetValue(engine);
            var queue = _lazyValue!.GetValue(_queueProperty!.GetValue(disk));
            _wait.Invoke(queue, null);
        }
        catch (TargetInvocationException ex) when (ex.InnerException is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(ex.InnerException);
        }
    }
}
