using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using LiteDB;

namespace EdgeGateway.Storage;

/// <summary>
/// Keeps LiteDB 5.0.x transactions that outlive their engine away from the finalizer thread.
/// </summary>
/// <remarks>
/// LiteDB's <c>TransactionService</c> has a finalizer that discards the transaction's pages and releases
/// it from its thread. When an I/O error (a full disk, a damaged file) closes the engine with a
/// transaction open, <c>TransactionMonitor.Dispose</c> throws on the first transaction it cannot discard
/// ("discarded page must be writable") and leaves it, and every transaction after it, undisposed. Once the
/// engine is unreachable their finalizers run and throw the same error on the finalizer thread, which
/// ends the process (upstream LiteDB #2574 / #2586): a gateway that recovered from a full disk could die
/// minutes later. After the engine is closed nothing those finalizers would do matters (the cache and
/// the files are gone), so <see cref="Abandon"/> suppresses them. Reached by reflection, as
/// <see cref="LiteDbWriterQueue"/> reaches the writer; if LiteDB's internals move, it does nothing.
/// </remarks>
[UnconditionalSuppressMessage("Trimming", "IL2075", Justification = LiteDbInternals.Justification)]
internal static class LiteDbAbandonedTransactions
{
    private const BindingFlags Any = BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic;

    private static readonly FieldInfo? EngineField = typeof(LiteDatabase).GetField("_engine", Any);
    private static readonly FieldInfo? MonitorField = typeof(LiteDB.Engine.LiteEngine).GetField("_monitor", Any);
    private static readonly FieldInfo? TransactionsField = MonitorField?.FieldType.GetField("_transactions", Any);

    /// <summary>
    /// Suppresses the finalizers of the transactions a closed <paramref name="database"/> still lists;
    /// returns how many there were (0 after a clean close, which leaves none).
    /// </summary>
    public static int Abandon(LiteDatabase database)
    {
        if (EngineField?.GetValue(database) is not LiteDB.Engine.LiteEngine engine
            || MonitorField?.GetValue(engine) is not { } monitor
            || TransactionsField?.GetValue(monitor) is not System.Collections.IDictionary transactions)
        {
            return 0;
        }

        object[] open;
        lock (transactions)
        {
            open = new object[transactions.Count];
            transactions.Values.CopyTo(open, 0);
            transactions.Clear();
        }

        foreach (var transaction in open)
        {
            GC.SuppressFinalize(transaction);
        }

        return open.Length;
    }
}
