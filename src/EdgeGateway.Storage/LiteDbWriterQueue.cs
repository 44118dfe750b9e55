using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using System.Runtime.ExceptionServices;
using LiteDB;

namespace EdgeGateway.Storage;

/// <summary>
/// Waits for LiteDB 5.0.x's background log writer. <c>Commit()</c> hands the transaction's pages to an
/// in-process queue (<c>DiskWriterQueue</c>) and can return before they are written to the log file.
/// LiteDB has no public "wait for the writer", so this reaches the queue by reflection, resolved on
/// every call because <c>Rebuild()</c> replaces the engine's disk service. The queue's "empty" signal
/// is set once every page is written but BEFORE LiteDB's own flush, so returning from here means
/// "kill -9 safe", not "power-cut safe": <see cref="DurableLiteDatabase"/> fsyncs after it.
/// If the internals change, <see cref="WaitForWrites"/> falls back to <c>Checkpoint()</c> (slower,
/// equally safe: it waits for the queue, copies the log into the data file and fsyncs that).
/// </summary>
[UnconditionalSuppressMessage("Trimming", "IL2075", Justification = LiteDbInternals.Justification)]
internal sealed class LiteDbWriterQueue
{
    /// <summary>The queue method waited on in LiteDB 5.0.20.</summary>
    public const string DefaultWaitMethod = "Wait";

    private const BindingFlags Any = BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic;

    private readonly LiteDatabase _database;
    private readonly FieldInfo? _engineField;
    private readonly FieldInfo? _diskField;
    private readonly PropertyInfo? _queueProperty;
    private readonly PropertyInfo? _lazyValue;
    private readonly MethodInfo? _wait;
    private readonly FieldInfo? _isEmptyField;
    private readonly FieldInfo? _exceptionField;
    private readonly FieldInfo? _stateField;
    private readonly FieldInfo? _stateDisposedField;
    private readonly FieldInfo? _stateExceptionField;

    /// <param name="database">The database whose writer is waited for.</param>
    /// <param name="waitMethod">The queue's wait method name (tests pass a missing one to force the fall-back).</param>
    /// <remarks>
    /// LiteDB is kept whole in trimmed publishes, but the queue sits behind the framework's <see cref="Lazy{T}"/>, whose
    /// <c>Value</c> a NativeAOT build would otherwise not describe for reflection (the first AOT build logged "writer queue
    /// not reachable (Lazy&lt;DiskWriterQueue&gt;.Value)" and fell back to a checkpoint per commit): kept here.
    /// </remarks>
    [DynamicDependency(DynamicallyAccessedMemberTypes.PublicProperties, typeof(Lazy<>))]
    public LiteDbWriterQueue(LiteDatabase database, string waitMethod = DefaultWaitMethod)
    {
        _database = database;
        try
        {
            _engineField = typeof(LiteDatabase).GetField("_engine", Any) ?? throw new MissingFieldException("LiteDatabase._engine");
            var engine = _engineField.GetValue(database) ?? throw new MissingFieldException("LiteDatabase._engine is null");
            _diskField = engine.GetType().GetField("_disk", Any) ?? throw new MissingFieldException("LiteEngine._disk");
            _queueProperty = _diskField.FieldType.GetProperty("Queue", Any) ?? throw new MissingMemberException("DiskService.Queue");
            _lazyValue = _queueProperty.PropertyType.GetProperty("Value") ?? throw new MissingMemberException("Lazy<DiskWriterQueue>.Value");
            _wait = _lazyValue.PropertyType.GetMethod(waitMethod, Any, Type.EmptyTypes) ?? throw new MissingMethodException("DiskWriterQueue." + waitMethod);

            // What Wait() waits on, and where the writer keeps the error that stopped it: with both, a
            // failed writer (disk full) fails the commit instead of blocking it for ever.
            _isEmptyField = _lazyValue.PropertyType.GetField("_queueIsEmpty", Any) is { } e && e.FieldType == typeof(ManualResetEventSlim) ? e : null;
            _exceptionField = _lazyValue.PropertyType.GetField("_exception", Any) is { } x && x.FieldType == typeof(Exception) ? x : null;

            // LiteDB 5.0.20's writer, failing (disk full), closes the engine from its own thread and
            // then waits in DiskWriterQueue.Dispose() for itself: it never empties the queue nor sets
            // _exception. The engine state's Disposed flag (set first) and stored exception say so.
            _stateField = engine.GetType().GetField("_state", Any);
            _stateDisposedField = _stateField?.FieldType.GetField("Disposed", Any) is { } d && d.FieldType == typeof(bool) ? d : null;
            _stateExceptionField = _stateField?.FieldType.GetField("_exception", Any) is { } se && se.FieldType == typeof(Exception) ? se : null;
        }
        catch (Exception ex) when (ex is MemberAccessException or InvalidOperationException or TargetException or ArgumentException)
        {
            _wait = null;
            FallbackReason = ex.Message;
        }
    }

    /// <summary>Why the checkpoint fall-back is in use (null when the writer queue is reachable).</summary>
    public string? FallbackReason { get; }

    /// <summary>True when a failed writer is detected (instead of waiting for it for ever).</summary>
    public bool DetectsWriterFailure => _isEmptyField is not null && _exceptionField is not null;

    /// <summary>Blocks until every page committed so far is written to the log file (or checkpointed).</summary>
    public void WaitForWrites()
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
            if (_isEmptyField?.GetValue(queue) is ManualResetEventSlim isEmpty && _exceptionField is not null)
            {
                while (!isEmpty.Wait(TimeSpan.FromMilliseconds(200)))
                {
                    if (_exceptionField.GetValue(queue) is Exception failure)
                    {
                        throw new IOException("LiteDB's log writer failed: the commit is not on disk.", failure);
                    }

                    if (_stateDisposedField is not null && _stateField!.GetValue(engine) is { } state && (bool)_stateDisposedField.GetValue(state)!)
                    {
                        throw new IOException("LiteDB closed its engine: the commit is not on disk.", _stateExceptionField?.GetValue(state) as Exception);
                    }
                }

                return;
            }

            _wait.Invoke(queue, null);
        }
        catch (TargetInvocationException ex) when (ex.InnerException is not null)
        {
            ExceptionDispatchInfo.Throw(ex.InnerException);
        }
    }
}
