using EdgeGateway.Contracts.V1;
using FleetControl.Store;
using FleetControl.Tests.Infrastructure;

namespace FleetControl.Tests.Store;

/// <summary>
/// The LiteDB store's urgent journal: an Emergency/Alert batch is durable (and counted) without the store's lock, so a
/// backlog transaction held open does not delay it; what was journaled and not folded into the database before a crash
/// is replayed once at the next start, and redeliveries of it are duplicates on either side of the restart.
/// </summary>
public sealed class LiteDbFleetStoreUrgentJournalTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 16, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task StoreEnvelopes_EmergencyWhileBacklogTransactionHeldOpen_StoredBeforeTheBacklogCommits()
    {
        using var dir = new TempDirectory();
        using var store = new LiteDbFleetStore(Path.Combine(dir.Path, "fleet.db"), KnownIdWatermark.DefaultCapacity, chunkEnvelopes: 16);
        var backlog = Enumerable.Range(0, 400).Select(i => TestEnvelopes.Position("car-1", (ulong)i + 1)).ToList();

        // The backlog call stops inside its transaction (under the store's lock) after its first chunk, until released.
        using var insideTransaction = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        var held = 0;
        store.BetweenChunks = () =>
        {
            if (Interlocked.Exchange(ref held, 1) == 0)
            {
                insideTransaction.Set();
                release.Wait(Timeout);
            }
        };

        var backlogCall = Task.Run(() => store.StoreEnvelopesAsync(backlog, Now, Ct), Ct);
        Assert.True(insideTransaction.Wait(Timeout, Ct));

        var emergency = Urgent("car-1", 1, PriorityClass.Emergency);
        var alert = Urgent("car-1", 2, PriorityClass.Alert);
        var urgent = await Task.Run(() => store.StoreEnvelopesAsync([emergency, alert], Now, Ct), Ct).WaitAsync(Timeout, Ct);

        // Stored (durably, in the journal) while the backlog transaction is still open.
        Assert.False(backlogCall.IsCompleted);
        Assert.Equal(new StoreBatchResult(2, 0), urgent);

        release.Set();
        Assert.Equal(new StoreBatchResult(400, 0), await backlogCall.WaitAsync(Timeout, Ct));

        // A read waits for the fold: everything acknowledged is in it, once.
        Assert.Equal(402, await store.CountEnvelopesAsync(Ct));
        var events = await store.GetEventsAsync("car-1", 10, Ct);
        Assert.Equal(new[] { emergency.MessageId, alert.MessageId }.Order(StringComparer.Ordinal), events.Select(e => e.MessageId).Order(StringComparer.Ordinal));
        Assert.Equal(0, store.Unfolded);
        Assert.Equal(402, (await store.GetDeviceAsync("car-1", Ct))!.EnvelopeCount);
    }

    [Fact]
    public async Task Open_JournaledNotFoldedBeforeCrash_ReplayedOnceAndRedeliveriesAreDuplicates()
    {
        using var live = new TempDirectory();
        using var crashed = new TempDirectory();
        var dbPath = Path.Combine(live.Path, "fleet.db");
        var telemetry = Enumerable.Range(0, 100).Select(i => TestEnvelopes.Position("car-2", (ulong)i + 1)).ToList();
        var emergency = Urgent("car-2", 1, PriorityClass.Emergency);
        var alert = Urgent("car-2", 2, PriorityClass.Alert);

        using (var store = new LiteDbFleetStore(dbPath))
        {
            await store.StoreEnvelopesAsync(telemetry, Now, Ct);
            store.FoldingPaused = true; // the journal holds them, the database does not: as if killed before the fold
            Assert.Equal(new StoreBatchResult(2, 0), await store.StoreEnvelopesAsync([emergency, alert], Now, Ct));
            Assert.Equal(new StoreBatchResult(0, 1), await store.StoreEnvelopesAsync([emergency], Now, Ct)); // redelivered: known
            Assert.Equal(1, store.Unfolded);

            // The files as a kill -9 leaves them, the instant the calls returned.
            File.Copy(dbPath, Path.Combine(crashed.Path, "fleet.db"));
            File.Copy(LiteDbFleetStore.LogPath(dbPath), Path.Combine(crashed.Path, "fleet-log.db"));
            File.Copy(store.JournalPath!, UrgentJournal.PathFor(Path.Combine(crashed.Path, "fleet.db")));
        }

        var copy = Path.Combine(crashed.Path, "fleet.db");
        var alerts = new RecordingFoldObserver();
        using (var reopened = new LiteDbFleetStore(copy, [alerts]))
        {
            // Replayed into the database, and handed to the fold observers (their alerts were perhaps never raised).
            Assert.Equal(new StoreBatchResult(2, 0), reopened.JournalReplayed);
            Assert.Equal([emergency.MessageId, alert.MessageId], alerts.Folded.Select(e => e.MessageId));
            Assert.Equal(102, await reopened.CountEnvelopesAsync(Ct));

            // The gateway re-sends what it had no DeliveryAck for: urgent (journal path) and mixed into a backlog call.
            // (Through the journal when the ids are above the watermark, else looked up the ordinary way.)
            var resent = await reopened.StoreEnvelopesAsync([emergency.Clone(), alert.Clone()], Now, Ct);
            Assert.Equal((0, 2), (resent.Stored, resent.Duplicates));
            Assert.Equal(new StoreBatchResult(0, 101), await reopened.StoreEnvelopesAsync([.. telemetry, emergency.Clone()], Now, Ct));
            Assert.Equal(102, await reopened.CountEnvelopesAsync(Ct));
        }

        // Folded and reset: nothing is replayed twice.
        using var again = new LiteDbFleetStore(copy);
        Assert.Equal(default, again.JournalReplayed);
        Assert.Equal(102, await again.CountEnvelopesAsync(Ct));
        Assert.Equal(2, (await again.GetEventsAsync("car-2", 10, Ct)).Count);
    }

    [Fact]
    public async Task Open_TornLastRecord_EarlierRecordsReplayedTornOneIgnored()
    {
        using var dir = new TempDirectory();
        var path = Path.Combine(dir.Path, "fleet-urgent.journal");
        var first = Urgent("car-3", 1, PriorityClass.Emergency);
        var second = Urgent("car-3", 2, PriorityClass.Emergency);
        const int end = 4096; // records start after the 4 KiB header
        using (var journal = UrgentJournal.Open(path, out var none))
        {
            Assert.Empty(none);
            Assert.True(journal.TryAppend([first], Now));
            Assert.True(journal.TryAppend([second], Now));
        }

        // A crash in the middle of the second append: its last bytes never reached the disk.
        var bytes = await File.ReadAllBytesAsync(path, Ct);
        var firstLength = BitConverter.ToInt32(bytes, end);
        var secondLength = BitConverter.ToInt32(bytes, end + firstLength);
        bytes[end + firstLength + secondLength - 1] ^= 0xFF;
        await File.WriteAllBytesAsync(path, bytes, Ct);

        using (var reopened = UrgentJournal.Open(path, out var records))
        {
            var only = Assert.Single(records);
            Assert.Equal(first.MessageId, Assert.Single(only.Envelopes).MessageId);
            Assert.Equal(Now, only.ReceivedAt);
            reopened.Reset();
        }

        // After a reset (everything folded) the old records are of an earlier epoch: none is replayed.
        using var reset = UrgentJournal.Open(path, out var afterReset);
        Assert.Empty(afterReset);
    }

    [Fact]
    public async Task StoreEnvelopes_FoldObservers_ResultDefersThemAndTheFoldCallsThemOnce()
    {
        using var dir = new TempDirectory();
        var alerts = new RecordingFoldObserver();
        using var store = new LiteDbFleetStore(Path.Combine(dir.Path, "fleet.db"), [alerts]);
        var emergency = Urgent("car-4", 1, PriorityClass.Emergency);

        Assert.True(store.DefersUrgentObservers);
        Assert.Equal(new StoreBatchResult(1, 0, ObserversDeferred: true), await store.StoreEnvelopesAsync([emergency], Now, Ct));
        Assert.Equal(new StoreBatchResult(0, 1, ObserversDeferred: true), await store.StoreEnvelopesAsync([emergency.Clone()], Now, Ct));

        // Telemetry is never journaled: its observers are the caller's.
        Assert.Equal(new StoreBatchResult(1, 0), await store.StoreEnvelopesAsync([TestEnvelopes.Position("car-4", 1)], Now, Ct));

        Assert.Equal(2, await store.CountEnvelopesAsync(Ct)); // waits for the fold
        Assert.Equal([emergency.MessageId], alerts.Folded.Select(e => e.MessageId));
    }

    private sealed class RecordingFoldObserver : IUrgentFoldObserver
    {
        private readonly Lock _lock = new();
        private readonly List<Envelope> _folded = [];

        public IReadOnlyList<Envelope> Folded
        {
            get
            {
                lock (_lock)
                {
                    return [.. _folded];
                }
            }
        }

        public void OnFolded(IReadOnlyList<Envelope> envelopes)
        {
            lock (_lock)
            {
                _folded.AddRange(envelopes);
            }
        }
    }

    private static Envelope Urgent(string deviceId, ulong sequence, PriorityClass priority)
    {
        var envelope = TestEnvelopes.Event(deviceId, sequence, priority == PriorityClass.Emergency ? "emergency" : "anpr_hit");
        envelope.Stream = priority == PriorityClass.Emergency ? "panic" : "alerts";
        envelope.Priority = priority;
        return envelope;
    }
}
