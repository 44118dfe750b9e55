using System.Buffers.Binary;
using EdgeGateway.Contracts.V1;
using EdgeGateway.Core;
using EdgeGateway.Outbox.Policy;
using EdgeGateway.Outbox.Storage;
using Google.Protobuf;
using LiteDB;

namespace EdgeGateway.Outbox.Salvage;

/// <summary>
/// Recovers the messages of a quarantined outbox file: every document on its data pages
/// (<see cref="LiteDbPageScanner"/>) that is an intact message (checksum when it has one, otherwise
/// a parseable envelope whose id and class match the document) is handed on with its original id,
/// so FleetControl deduplicates anything it already holds. The file's own state document says how
/// many messages it held per class; the difference is what is lost. The file itself is only read.
/// </summary>
internal static class OutboxSalvager
{
    /// <summary>Suffix of the marker written beside a quarantined file once it has been salvaged.</summary>
    public const string SalvagedMarkerSuffix = ".salvaged";

    /// <summary>Recovered envelopes are handed on in batches of this size.</summary>
    public const int BatchSize = 4096;

    /// <summary>
    /// Quarantined files (<c>{name}.corrupt-*.db</c>) beside <paramref name="dataFile"/> that have no
    /// salvaged marker yet, oldest first: those whose salvage never ran or was interrupted.
    /// </summary>
    public static IReadOnlyList<string> Unsalvaged(string dataFile)
    {
        var directory = Path.GetDirectoryName(dataFile) ?? ".";
        if (!Directory.Exists(directory))
        {
            return [];
        }

        var logSuffix = "-log" + Path.GetExtension(dataFile);
        return Directory.GetFiles(directory, Path.GetFileNameWithoutExtension(dataFile) + ".corrupt-*" + Path.GetExtension(dataFile))
            .Where(f => !f.EndsWith(logSuffix, StringComparison.Ordinal) && !File.Exists(f + SalvagedMarkerSuffix))
            .Order(StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>Marks a quarantined file as salvaged (so start-up does not salvage it again).</summary>
    public static void MarkSalvaged(SalvageResult result)
    {
        File.WriteAllText(
            result.File + SalvagedMarkerSuffix,
            $"recovered={result.RecoveredTotal} lost={result.LostTotal} expected={result.ExpectedFromState?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "unknown"}\n");
    }

    /// <summary>
    /// Reads <paramref name="file"/> (and its log file) and calls <paramref name="onBatch"/> with
    /// every intact message, at most <see cref="BatchSize"/> at a time, each id once.
    /// </summary>
    /// <param name="file">The damaged outbox file.</param>
    /// <param name="protector">Opens encrypted payloads (the live outbox's data key); a payload it cannot open is damaged.</param>
    /// <param name="onBatch">Receives the intact messages.</param>
    public static SalvageResult Salvage(string file, PayloadProtector protector, Action<IReadOnlyList<Envelope>> onBatch)
    {
        ArgumentNullException.ThrowIfNull(onBatch);
        var classes = OutboxClassDefaults.All.Length;
        var recovered = new long[classes];
        var damaged = new long[classes];
        long damagedUnknown = 0;
        OutboxState? state = null;
        var seen = new HashSet<UInt128>();
        var batch = new List<Envelope>(BatchSize);
        using (var scanner = LiteDbPageScanner.Open(file, OutboxStoreFile.LogFileFor(file)))
        {
            foreach (var document in scanner.Documents())
            {
                if (document is null)
                {
                    damagedUnknown++;
                    continue;
                }

                if (document["_id"] is { IsString: true } id && id.AsString == OutboxState.DocumentId)
                {
                    state = TryReadState(document) ?? state;
                    continue;
                }

                if (!document["_id"].IsBinary || document["_id"].AsBinary.Length != MonotonicMessageIdGenerator.ByteLength)
                {
                    damagedUnknown += document.ContainsKey("b") ? 1 : 0; // a message whose id is gone; other collections' documents are not messages
                    continue;
                }

                var envelope = TryReadMessage(document, protector, out var classIndex);
                if (envelope is null)
                {
                    if (classIndex >= 0)
                    {
                        damaged[classIndex]++;
                    }
                    else
                    {
                        damagedUnknown++;
                    }

                    continue;
                }

                if (!seen.Add(BinaryPrimitives.ReadUInt128BigEndian(document["_id"].AsBinary)))
                {
                    continue;
                }

                recovered[classIndex]++;
                batch.Add(envelope);
                if (batch.Count == BatchSize)
                {
                    onBatch(batch);
                    batch = new List<Envelope>(BatchSize);
                }
            }
        }

        if (batch.Count > 0)
        {
            onBatch(batch);
        }

        if (state is null)
        {
            // The file's own counts are gone: what was seen damaged is all that can be counted.
            return new SalvageResult(file, recovered, damaged, damagedUnknown, null);
        }

        // The state document is rewritten with every change, so its counts are what the file held.
        var lost = new long[classes];
        for (var c = 0; c < classes; c++)
        {
            lost[c] = Math.Max(0, state.Count[c] - recovered[c]);
        }

        return new SalvageResult(file, recovered, lost, 0, state.Count.Sum());
    }

    private static OutboxState? TryReadState(BsonDocument document)
    {
        try
        {
            return OutboxState.IsIntact(document) ? OutboxState.FromDocument(document) : null;
        }
        catch (Exception ex) when (ex is InvalidCastException or KeyNotFoundException or NullReferenceException or ArgumentException or IndexOutOfRangeException)
        {
            return null;
        }
    }

    /// <summary>The envelope of an intact message document, else null; <paramref name="classIndex"/> is its class when known (-1 otherwise).</summary>
    private static Envelope? TryReadMessage(BsonDocument document, PayloadProtector protector, out int classIndex)
    {
        classIndex = -1;
        if (protector.TryOpen(document) is not { } payload)
        {
            return null;
        }

        Envelope envelope;
        try
        {
            envelope = Envelope.Parser.ParseFrom(payload);
        }
        catch (InvalidProtocolBufferException)
        {
            return null;
        }

        classIndex = EnvelopePolicy.ClassOf(envelope.Priority);
        Span<byte> id = stackalloc byte[MonotonicMessageIdGenerator.ByteLength];
        var intact = MessageChecksum.IsIntact(document)
            && classIndex >= 0
            && !string.IsNullOrEmpty(envelope.Stream)
            && MonotonicMessageIdGenerator.TryParse(envelope.MessageId, id)
            && id.SequenceEqual(document["_id"].AsBinary);
        return intact ? envelope : null;
    }
}
