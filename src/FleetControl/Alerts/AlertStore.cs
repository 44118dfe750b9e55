namespace FleetControl.Alerts;

/// <summary>
/// Alerts and their history. <see cref="LiteDbAlertStore"/> (<c>alerts.db</c> in the data directory) by default;
/// <see cref="PostgreSqlAlertStore"/> under <c>Store:Provider=PostgreSql</c>, shared by every instance, so an
/// alert raised on one instance is listed and acknowledged on any other. Writes are durable when the call returns.
/// </summary>
internal abstract class AlertStore : IDisposable
{
    /// <summary>File name of the LiteDB store inside FleetControl's data directory.</summary>
    public const string FileName = "alerts.db";

    /// <summary>One alert, or null.</summary>
    public abstract AlertRecord? Get(string alertId);

    /// <summary>
    /// Applies <paramref name="change"/> to the alert (null when absent) and stores what it returns; null stores
    /// nothing. Atomic per alert: two callers (or two instances) never both change the version they read.
    /// </summary>
    public abstract AlertRecord? Update(string alertId, Func<AlertRecord?, AlertRecord?> change);

    /// <summary>Newest first; <paramref name="state"/> null for every state.</summary>
    public abstract IReadOnlyList<AlertRecord> List(string? state, string? deviceId, int limit);

    /// <summary>Ids of the active alerts of one rule.</summary>
    public abstract IReadOnlyList<string> ActiveIds(string rule);

    public void Dispose()
    {
        Dispose(disposing: true);
        GC.SuppressFinalize(this);
    }

    protected virtual void Dispose(bool disposing)
    {
    }
}
