using System.Globalization;
using EdgeGateway.Storage;
using LiteDB;

namespace FleetControl.Anpr;

/// <summary>
/// <c>anpr.db</c> in the instance's data directory, shared by <see cref="LiteDbAnprReadStore"/> and
/// <see cref="LiteDbHotlistStore"/> (one file, one lock, as before the two were split).
/// </summary>
internal sealed class AnprLiteDatabase : IDisposable
{
    public const string FileName = "anpr.db";

    private readonly DurableLiteDatabase _durable;

    public AnprLiteDatabase(string directory)
    {
        Directory = directory;
        _durable = DurableLiteDatabase.Open(Path.Combine(directory, FileName), new Collation(CultureInfo.InvariantCulture.LCID, CompareOptions.Ordinal));
    }

    /// <summary>The data directory holding the file.</summary>
    public string Directory { get; }

    public LiteDatabase Database => _durable.Database;

    /// <summary>Held around every access by both stores.</summary>
    public Lock Lock { get; } = new();

    /// <summary>Returns once what was written is on disk.</summary>
    public void WaitDurable() => _durable.WaitDurable();

    public void Dispose() => _durable.Dispose();
}
