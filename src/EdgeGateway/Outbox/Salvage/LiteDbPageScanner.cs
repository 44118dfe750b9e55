using System.Buffers.Binary;
using LiteDB;

namespace EdgeGateway.Outbox.Salvage;

/// <summary>
/// Reads every document a damaged LiteDB 5 file still holds by walking its data pages directly,
/// without the engine: the header, collection and index pages may be broken, and the engine stops
/// at the first bad page of a collection, while each intact data block can still be read on its own.
/// The log (WAL) file beside it is applied first, transaction by transaction, confirmed ones only,
/// so a file quarantined after a crash yields what was committed, not stale pages.
/// </summary>
/// <remarks>
/// Page layout of LiteDB 5.0.x (<c>BasePage</c>, <c>DataBlock</c>): 8 KiB pages; header byte 4 the
/// page type (4 = data), bytes 14-17 the transaction id, byte 18 "confirmed", byte 30 the highest
/// slot index; a footer of 4-byte slots from the end of the page (length, position); a data block
/// is 1 byte "extend" (a continuation), a 5-byte next-block address (page id, slot) and the bytes.
/// </remarks>
internal sealed class LiteDbPageScanner : IDisposable
{
    /// <summary>LiteDB's page size.</summary>
    public const int PageSize = 8192;

    private const int HeaderSize = 32;
    private const int SlotSize = 4;
    private const byte DataPageType = 4;
    private const int MaxChainBlocks = 1 + (16 * 1024 * 1024 / (PageSize - HeaderSize)); // a 16 MiB document at most

    private readonly FileStream _data;
    private readonly FileStream? _log;
    private readonly Dictionary<uint, long> _logPages = [];
    private readonly byte[] _page = new byte[PageSize];
    private readonly byte[] _chainPage = new byte[PageSize];

    private LiteDbPageScanner(FileStream data, FileStream? log)
    {
        _data = data;
        _log = log;
    }

    /// <summary>Opens the data file and (if present) its log file for reading.</summary>
    public static LiteDbPageScanner Open(string dataFile, string logFile)
    {
        var data = new FileStream(dataFile, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, PageSize, FileOptions.SequentialScan);
        FileStream? log = null;
        try
        {
            if (File.Exists(logFile))
            {
                log = new FileStream(logFile, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, PageSize, FileOptions.SequentialScan);
            }

            var scanner = new LiteDbPageScanner(data, log);
            scanner.IndexLog();
            return scanner;
        }
        catch
        {
            log?.Dispose();
            data.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Every first block of a document found on a data page, assembled with its continuation blocks
    /// and decoded: a document, or null for a block chain or BSON that could not be read (counted by
    /// the caller as damage).
    /// </summary>
    public IEnumerable<BsonDocument?> Documents()
    {
        var pageCount = Math.Max(_data.Length / PageSize, _logPages.Count == 0 ? 0 : _logPages.Keys.Max() + 1L);
        for (long pageId = 0; pageId < pageCount; pageId++)
        {
            if (!TryReadPage((uint)pageId, _page) || _page[4] != DataPageType)
            {
                continue;
            }

            var highest = _page[30];
            if (highest == byte.MaxValue)
            {
                continue;
            }

            for (var slot = 0; slot <= highest; slot++)
            {
                if (!TryBlock(_page, (byte)slot, out var position, out var length) || _page[position] != 0)
                {
                    continue; // empty slot, or a continuation block read with its first block
                }

                yield return Decode(_page.AsSpan(position, length));
            }
        }
    }

    public void Dispose()
    {
        _log?.Dispose();
        _data.Dispose();
    }

    private static bool TryBlock(byte[] page, byte slot, out int position, out int length)
    {
        var footer = PageSize - ((slot + 1) * SlotSize);
        length = BinaryPrimitives.ReadUInt16LittleEndian(page.AsSpan(footer));
        position = BinaryPrimitives.ReadUInt16LittleEndian(page.AsSpan(footer + 2));
        return length > 6 && position >= HeaderSize && position + length <= footer;
    }

    private BsonDocument? Decode(ReadOnlySpan<byte> first)
    {
        try
        {
            using var buffer = new MemoryStream();
            buffer.Write(first[6..]);
            var nextPage = BinaryPrimitives.ReadUInt32LittleEndian(first[1..]);
            var nextSlot = first[5];
            for (var blocks = 1; nextPage != uint.MaxValue; blocks++)
            {
                if (blocks > MaxChainBlocks || !TryReadPage(nextPage, _chainPage) || _chainPage[4] != DataPageType
                    || !TryBlock(_chainPage, nextSlot, out var position, out var length) || _chainPage[position] != 1)
                {
                    return null;
                }

                var block = _chainPage.AsSpan(position, length);
                buffer.Write(block[6..]);
                nextPage = BinaryPrimitives.ReadUInt32LittleEndian(block[1..]);
                nextSlot = block[5];
            }

            var bytes = buffer.GetBuffer().AsSpan(0, (int)buffer.Length);
            var size = bytes.Length >= 4 ? BinaryPrimitives.ReadInt32LittleEndian(bytes) : -1;
            if (size < 5 || size > bytes.Length)
            {
                return null;
            }

            return BsonSerializer.Deserialize(bytes[..size].ToArray());
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            return null; // damaged bytes decode to anything: an exception here means "unreadable"
        }
    }

    /// <summary>Latest confirmed version of each page in the log: page id -&gt; offset in the log file.</summary>
    private void IndexLog()
    {
        if (_log is null)
        {
            return;
        }

        var header = new byte[HeaderSize];
        var plausiblePages = (_data.Length + _log.Length) / PageSize; // a damaged page id must not make the scan walk billions of pages
        var pending = new Dictionary<uint, List<(uint PageId, long Offset)>>();
        for (long offset = 0; offset + PageSize <= _log.Length; offset += PageSize)
        {
            _log.Position = offset;
            _log.ReadExactly(header);
            var pageId = BinaryPrimitives.ReadUInt32LittleEndian(header);
            var transaction = BinaryPrimitives.ReadUInt32LittleEndian(header.AsSpan(14));
            if (pageId >= plausiblePages)
            {
                continue;
            }

            if (!pending.TryGetValue(transaction, out var pages))
            {
                pages = [];
                pending[transaction] = pages;
            }

            pages.Add((pageId, offset));
            if (header[18] != 0)
            {
                // The last page of a transaction is marked confirmed: the whole transaction applies.
                foreach (var (id, at) in pages)
                {
                    _logPages[id] = at;
                }

                pending.Remove(transaction);
            }
        }
    }

    private bool TryReadPage(uint pageId, byte[] destination)
    {
        if (_log is not null && _logPages.TryGetValue(pageId, out var logOffset))
        {
            _log.Position = logOffset;
            _log.ReadExactly(destination);
            return true;
        }

        var offset = (long)pageId * PageSize;
        if (offset + PageSize > _data.Length)
        {
            return false;
        }

        _data.Position = offset;
        _data.ReadExactly(destination);
        return true;
    }
}
