using System.Buffers.Binary;
using System.Runtime.InteropServices;
using EdgeGateway.Contracts.V1;
using Google.Protobuf;
using Microsoft.Win32.SafeHandles;

namespace FleetControl.Store;

/// <summary>
/// The LiteDB store's urgent journal (<c>{name}-urgent.journal</c> beside the database): a small append-only file in
/// which an Emergency/Alert batch is made durable with one <c>fdatasync</c> of its own, instead of a LiteDB commit that
/// waits for the store's lock, a backlog transaction or LiteDB checkpoint in progress, LiteDB's single log writer and
/// the log's fsync (which on ext4 costs what the backlog wrote). <see cref="LiteDbFleetStore"/> folds each record into
/// the database right after, and replays what was not folded when it opens.
/// </summary>
/// <remarks>
/// <para>
/// The file is written in full (zeros) when created and never grows, so an append is an overwrite of blocks that
/// already exist: <c>fdatasync</c> then writes the data and flushes the disk cache without an ext4 journal commit
/// (no size or block allocation to make durable), i.e. without waiting for the metadata or ordered data that other
/// files, the database's log among them, have pending.
/// </para>
/// <para>
/// Layout: a 4 KiB header (magic, epoch), then records <c>[length u32][crc32 u32][epoch u64][received ticks i64]
/// [EnvelopeBatch]</c>, the CRC over everything after it. Only records of the header's epoch are valid; replay stops
/// at the first record that is short, of another epoch or whose CRC fails (a torn append: never acknowledged).
/// <see cref="Reset"/> (everything folded) moves to the next epoch with one durable header write, which makes every
/// older record invalid without erasing it. Not thread-safe: the store serialises appends and resets.
/// </para>
/// </remarks>
internal sealed class UrgentJournal : IDisposable
{
    /// <summary>Bytes the file holds (header included): a few thousand urgent batches between two folds.</summary>
    public const int DefaultCapacity = 4 * 1024 * 1024;

    private const int HeaderSize = 4096;
    private const int RecordHeaderSize = 24;
    private const uint Magic = 0x4A475255; // "URGJ"

    private readonly FileStream _file;
    private readonly SafeFileHandle _handle;
    private readonly int _capacity;
    private ulong _epoch;
    private long _end = HeaderSize;

    private UrgentJournal(FileStream file, int capacity, ulong epoch)
    {
        _file = file;
        _handle = file.SafeFileHandle;
        _capacity = capacity;
        _epoch = epoch;
    }

    /// <summary>Full path of the journal file.</summary>
    public string FilePath => _file.Name;

    /// <summary>Records appended since the last <see cref="Reset"/>.</summary>
    public int Records { get; private set; }

    /// <summary>The journal file of the LiteDB file <paramref name="databasePath"/> (<c>fleet.db</c> -> <c>fleet-urgent.journal</c>).</summary>
    public static string PathFor(string databasePath) =>
        Path.Combine(Path.GetDirectoryName(databasePath) ?? ".", Path.GetFileNameWithoutExtension(databasePath) + "-urgent.journal");

    /// <summary>
    /// Opens (or creates, written in full) the journal and returns the valid records of its current epoch, oldest
    /// first: batches made durable here and perhaps not folded into the database (the caller stores them, deduped,
    /// then calls <see cref="Reset"/>).
    /// </summary>
    public static UrgentJournal Open(string path, out List<(DateTimeOffset ReceivedAt, List<Envelope> Envelopes)> records, int capacity = DefaultCapacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, HeaderSize * 2);
        records = [];
        var file = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read, bufferSize: 0, FileOptions.RandomAccess);
        try
        {
            var header = new byte[12];
            var magic = file.Length >= header.Length && RandomAccess.Read(file.SafeFileHandle, header, 0) == header.Length
                ? BinaryPrimitives.ReadUInt32LittleEndian(header)
                : 0;
            if (magic == 0)
            {
                // New, or its creation was cut short (the header is written last): write it in full, header last.
                var zeros = new byte[64 * 1024];
                for (long at = 0; at < capacity; at += zeros.Length)
                {
                    RandomAccess.Write(file.SafeFileHandle, zeros.AsSpan(0, (int)Math.Min(zeros.Length, capacity - at)), at);
                }

                var journal = new UrgentJournal(file, capacity, 0);
                journal.WriteHeader(1);
                file.Flush(flushToDisk: true); // a full fsync once: the size and blocks are durable from now on
                return journal;
            }

            if (magic != Magic || file.Length < HeaderSize * 2)
            {
                throw new InvalidDataException($"{path} is not an urgent journal (bad magic or size); move it aside to start without it.");
            }

            // An existing journal keeps its size (whatever the capacity asked for now).
            capacity = (int)Math.Min(int.MaxValue, file.Length);
            var epoch = BinaryPrimitives.ReadUInt64LittleEndian(header.AsSpan(4));
            var opened = new UrgentJournal(file, capacity, epoch);
            opened.ReadRecords(records);
            return opened;
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Appends one batch and makes it durable (<c>fdatasync</c>). False, with nothing written, when it does not fit
    /// (the caller stores it the ordinary way).
    /// </summary>
    public bool TryAppend(IReadOnlyList<Envelope> envelopes, DateTimeOffset receivedAt)
    {
        var batch = new EnvelopeBatch();
        batch.Envelopes.AddRange(envelopes);
        var payloadLength = batch.CalculateSize();
        var length = RecordHeaderSize + payloadLength;
        if (_end + length > _capacity)
        {
            return false;
        }

        var record = new byte[length];
        var span = record.AsSpan();
        BinaryPrimitives.WriteUInt32LittleEndian(span, (uint)length);
        BinaryPrimitives.WriteUInt64LittleEndian(span[8..], _epoch);
        BinaryPrimitives.WriteInt64LittleEndian(span[16..], receivedAt.UtcTicks);
        batch.WriteTo(span[RecordHeaderSize..]);
        BinaryPrimitives.WriteUInt32LittleEndian(span[4..], Crc32(span[8..]));
        RandomAccess.Write(_handle, record, _end);
        DataSync();
        _end += length;
        Records++;
        return true;
    }

    /// <summary>Everything appended is folded into the database (and durable there): start an empty epoch.</summary>
    public void Reset()
    {
        WriteHeader(_epoch + 1);
        DataSync();
        _end = HeaderSize;
        Records = 0;
    }

    public void Dispose() => _file.Dispose();

    private void WriteHeader(ulong epoch)
    {
        var header = new byte[12];
        BinaryPrimitives.WriteUInt32LittleEndian(header, Magic);
        BinaryPrimitives.WriteUInt64LittleEndian(header.AsSpan(4), epoch);
        RandomAccess.Write(_handle, header, 0);
        _epoch = epoch;
    }

    private void ReadRecords(List<(DateTimeOffset, List<Envelope>)> records)
    {
        var head = new byte[RecordHeaderSize];
        while (_end + RecordHeaderSize <= _capacity)
        {
            RandomAccess.Read(_handle, head, _end);
            var length = BinaryPrimitives.ReadUInt32LittleEndian(head);
            if (length < RecordHeaderSize || _end + length > _capacity || BinaryPrimitives.ReadUInt64LittleEndian(head.AsSpan(8)) != _epoch)
            {
                return;
            }

            var record = new byte[length];
            RandomAccess.Read(_handle, record, _end);
            if (Crc32(record.AsSpan(8)) != BinaryPrimitives.ReadUInt32LittleEndian(record.AsSpan(4)))
            {
                return;
            }

            var receivedAt = new DateTimeOffset(BinaryPrimitives.ReadInt64LittleEndian(record.AsSpan(16)), TimeSpan.Zero);
            var batch = EnvelopeBatch.Parser.ParseFrom(record.AsSpan(RecordHeaderSize));
            records.Add((receivedAt, batch.Envelopes.ToList()));
            _end += length;
            Records++;
        }
    }

    /// <summary>fdatasync on Linux (data and disk cache, no metadata-only journal commit); a full fsync elsewhere.</summary>
    private void DataSync()
    {
        if (OperatingSystem.IsLinux())
        {
            if (fdatasync((int)_handle.DangerousGetHandle()) != 0)
            {
                throw new IOException($"fdatasync of {FilePath} failed (errno {Marshal.GetLastPInvokeError()}).");
            }

            return;
        }

        _file.Flush(flushToDisk: true);
    }

    /// <summary>CRC-32 (IEEE 802.3, reflected, the zlib one) of <paramref name="data"/>.</summary>
    internal static uint Crc32(ReadOnlySpan<byte> data)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in data)
        {
            crc = CrcTable[(crc ^ b) & 0xFF] ^ (crc >> 8);
        }

        return ~crc;
    }

    private static readonly uint[] CrcTable = BuildCrcTable();

    private static uint[] BuildCrcTable()
    {
        var table = new uint[256];
        for (var n = 0u; n < 256; n++)
        {
            var c = n;
            for (var k = 0; k < 8; k++)
            {
                c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            }

            table[n] = c;
        }

        return table;
    }

    [DllImport("libc", EntryPoint = "fdatasync", SetLastError = true)]
    private static extern int fdatasync(int fd);
}
