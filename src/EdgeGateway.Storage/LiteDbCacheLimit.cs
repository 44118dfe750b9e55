using System.Diagnostics.CodeAnalysis;
using System.Reflection;

namespace EdgeGateway.Storage;

/// <summary>
/// Bounds how far LiteDB 5.0.x's page cache grows in every database this process opens afterwards.
/// LiteDB keeps each database's pages (data file and log alike) in a cache of 8 KiB buffers that grows in
/// segments of 12, 50, 100, 500 and then 1,000 pages and is never given back; it re-uses cached pages only
/// when more of them are idle than the next segment would hold. Every commit writes new log pages, and the
/// log is not checkpointed before 1,000 pages, so a database that commits once a second grows its cache to
/// 1,662 pages (13 MiB of managed heap) within minutes and keeps it, however small the data.
/// With the later segments limited to <c>N</c> pages, LiteDB re-uses its least recently used idle pages as soon
/// as more than <c>N</c> are idle: a cache of about 162 + N pages, plus what one transaction holds at once
/// (a large transaction still extends it; nothing fails).
/// </summary>
/// <remarks>
/// LiteDB has no setting for this (version 4's cache size is gone); the sizes are LiteDB 5.0.20's internal
/// <c>Constants.MEMORY_SEGMENT_SIZES</c>, read when a database is opened, set here by reflection as
/// <see cref="LiteDbWriterQueue"/> reaches LiteDB's writer. Process-wide: the gateway sets it once at start;
/// FleetControl, a server, keeps LiteDB's growth. If the internals are not where LiteDB 5.0.20 keeps them,
/// nothing changes and the reason is returned, for the caller to log.
/// </remarks>
public static class LiteDbCacheLimit
{
    /// <summary>The first segments LiteDB 5.0.20 allocates (12 and 50 pages), kept as they are.</summary>
    private static readonly int[] FirstSegments = [12, 50];

    /// <summary>
    /// Limits every later cache segment to <paramref name="segmentPages"/> pages for the databases
    /// opened from now on; 0 restores LiteDB's own growth. Returns null when applied, else why not.
    /// </summary>
    public static string? Apply(int segmentPages)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(segmentPages);
        var field = SizesField(out var why);
        if (field is null)
        {
            return why;
        }

        field.SetValue(null, SegmentsFor(segmentPages));
        return null;
    }

    /// <summary>The segment sizes <see cref="Apply"/> sets for <paramref name="segmentPages"/> (0: LiteDB 5.0.20's own).</summary>
    public static int[] SegmentsFor(int segmentPages) =>
        segmentPages == 0 ? [.. FirstSegments, 100, 500, 1000] : [.. FirstSegments, segmentPages];

    /// <summary>The segment sizes databases opened now would use (null when LiteDB's internals are not found).</summary>
    public static IReadOnlyList<int>? Current => SizesField(out _)?.GetValue(null) as int[];

    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = LiteDbInternals.Justification)]
    [UnconditionalSuppressMessage("Trimming", "IL2075", Justification = LiteDbInternals.Justification)]
    private static FieldInfo? SizesField(out string? why)
    {
        var constants = typeof(LiteDB.LiteDatabase).Assembly.GetType("LiteDB.Constants");
        var field = constants?.GetField("MEMORY_SEGMENT_SIZES", BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic);
        why = field is { FieldType.IsArray: true, IsInitOnly: false } && field.FieldType == typeof(int[])
            ? null
            : "LiteDB.Constants.MEMORY_SEGMENT_SIZES (LiteDB 5.0.20) was not found as a settable int[]; LiteDB's own cache growth is kept";
        return why is null ? field : null;
    }
}
