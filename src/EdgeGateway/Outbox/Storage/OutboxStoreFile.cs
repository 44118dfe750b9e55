using System.Globalization;
using EdgeGateway.Storage;
using LiteDB;

namespace EdgeGateway.Outbox.Storage;

/// <summary>Opening, checking and quarantining the outbox's LiteDB file.</summary>
internal static class OutboxStoreFile
{
    public const string StateCollection = "outbox_state";

    /// <summary>Collection name of a class, e.g. <c>q_telemetry</c>.</summary>
    public static string CollectionFor(int classIndex) => "q_" + OutboxClassDefaults.All[classIndex].ToString().ToLowerInvariant();

    /// <summary>LiteDB's companion log (WAL) file: <c>outbox.db</c> -&gt; <c>outbox-log.db</c>.</summary>
    public static string LogFileFor(string path) => DurableLiteDatabase.LogPathFor(path);

    /// <summary>
    /// Opens the file (this process only; log file through <see cref="DurableLiteDatabase"/>, so a
    /// commit can be made power-cut durable with one fsync) and reads what start-up needs: the state
    /// document and the head of every class index. Cheap however large the backlog, and enough to
    /// surface a corrupt header, state or index root; on failure nothing is left open.
    /// </summary>
    public static DurableLiteDatabase OpenAndCheck(string path, int checkpointPages, out OutboxState state)
    {
        var store = DurableLiteDatabase.Open(path);
        try
        {
            var database = store.Database;
            database.CheckpointSize = checkpointPages;
            var stateDocument = database.GetCollection(StateCollection).FindById(OutboxState.DocumentId);
            if (stateDocument is not null && !OutboxState.IsIntact(stateDocument))
            {
                // Its counts would be believed: a flipped bit could make thousands of messages appear, or vanish.
                throw new StoreDamagedException("the outbox state document fails its checksum");
            }

            state = OutboxState.FromDocument(stateDocument);
            for (var i = 0; i < OutboxClassDefaults.All.Length; i++)
            {
                var head = database.GetCollection(CollectionFor(i)).Find(Query.All(Query.Ascending), 0, 1).FirstOrDefault();
                if (head is not null && stateDocument is null)
                {
                    // A fresh state would count none of them: they would never be sent, nor counted lost.
                    throw new StoreDamagedException($"the outbox state document is missing while the {OutboxClassDefaults.All[i]} queue holds messages");
                }
            }

            return store;
        }
        catch
        {
            store.Dispose();
            throw;
        }
    }

    /// <summary>Moves the data file (and its log) aside as <c>{name}.corrupt-{UTC stamp}.db</c>; returns the new path.</summary>
    public static string Quarantine(string path, DateTimeOffset now)
    {
        var directory = Path.GetDirectoryName(path) ?? ".";
        var stem = Path.GetFileNameWithoutExtension(path) + ".corrupt-" + now.UtcDateTime.ToString("yyyyMMdd'T'HHmmssfff'Z'", CultureInfo.InvariantCulture);
        var target = Path.Combine(directory, stem + ".db");
        for (var n = 1; File.Exists(target); n++)
        {
            target = Path.Combine(directory, $"{stem}-{n}.db");
        }

        File.Move(path, target);
        var log = LogFileFor(path);
        if (File.Exists(log))
        {
            File.Move(log, LogFileFor(target));
        }

        return target;
    }
}
