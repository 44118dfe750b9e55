namespace FleetControl.Store;

/// <summary>Which database holds FleetControl's store (<c>Store:Provider</c>).</summary>
internal enum StoreProvider
{
    /// <summary>One LiteDB file in <c>FleetControl:DataDirectory</c>: one instance, a pilot or a depot (the default).</summary>
    LiteDb,

    /// <summary>A shared PostgreSQL database: several FleetControl instances behind one broker.</summary>
    PostgreSql,
}
