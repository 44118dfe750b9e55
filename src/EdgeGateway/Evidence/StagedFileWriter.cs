using System.Buffers;

namespace EdgeGateway.Evidence;

/// <summary>
/// Appends a recording's bytes to its staged copy: as they are when the item is staged in plaintext, or in
/// <see cref="StagingCipher"/> records. An encrypted writer holds back the current segment until it is full (or
/// <see cref="CompleteAsync"/>), so <see cref="Flushed"/>, the prefix a checkpoint may name and the upload may read,
/// is always a segment boundary (or the end).
/// </summary>
internal sealed class StagedFileWriter : IDisposable
{
    private readonly FileStream _target;
    private readonly StagingCipher? _cipher;
    private readonly byte[]? _segment;
    private readonly byte[]? _record;
    private int _pending;

    /// <param name="target">The staged file, positioned at the record for <paramref name="flushed"/>.</param>
    /// <param name="cipher">The item's cipher, or null for a plaintext copy.</param>
    /// <param name="flushed">Plaintext bytes already in the file (a segment boundary when encrypted).</param>
    public StagedFileWriter(FileStream target, StagingCipher? cipher, long flushed)
    {
        _target = target;
        _cipher = cipher;
        Flushed = flushed;
        if (cipher is not null)
        {
            _segment = ArrayPool<byte>.Shared.Rent(StagingCipher.SegmentSize);
            _record = ArrayPool<byte>.Shared.Rent(StagingCipher.RecordSize);
        }
    }

    /// <summary>Plaintext bytes written to the file in full (a resume or the upload may rely on them once fsynced).</summary>
    public long Flushed { get; private set; }

    /// <summary>The file offset that holds <paramref name="plain"/> plaintext bytes (for page-cache bookkeeping).</summary>
    public long FileOffset(long plain) => _cipher is null ? plain : StagingCipher.FileLength(plain);

    /// <summary>Stages <paramref name="data"/> (the next plaintext bytes).</summary>
    public async ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        if (_cipher is null)
        {
            await _target.WriteAsync(data, cancellationToken).ConfigureAwait(false);
            Flushed += data.Length;
            return;
        }

        while (!data.IsEmpty)
        {
            if (_pending == 0 && data.Length >= StagingCipher.SegmentSize)
            {
                // A whole segment in the caller's buffer: encrypted straight from it, no copy.
                _cipher.Seal(Flushed / StagingCipher.SegmentSize, data.Span[..StagingCipher.SegmentSize], _record.AsSpan(0, StagingCipher.RecordSize));
                await _target.WriteAsync(_record.AsMemory(0, StagingCipher.RecordSize), cancellationToken).ConfigureAwait(false);
                Flushed += StagingCipher.SegmentSize;
                data = data[StagingCipher.SegmentSize..];
                continue;
            }

            var take = Math.Min(data.Length, StagingCipher.SegmentSize - _pending);
            data.Span[..take].CopyTo(_segment.AsSpan(_pending));
            _pending += take;
            data = data[take..];
            if (_pending == StagingCipher.SegmentSize)
            {
                await SealPendingAsync(cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Writes the last, short segment (the recording ended).</summary>
    public ValueTask CompleteAsync(CancellationToken cancellationToken) =>
        _cipher is null || _pending == 0 ? ValueTask.CompletedTask : SealPendingAsync(cancellationToken);

    private async ValueTask SealPendingAsync(CancellationToken cancellationToken)
    {
        var length = _pending;
        _cipher!.Seal(Flushed / StagingCipher.SegmentSize, _segment.AsSpan(0, length), _record.AsSpan(0, length + StagingCipher.Overhead));
        await _target.WriteAsync(_record.AsMemory(0, length + StagingCipher.Overhead), cancellationToken).ConfigureAwait(false);
        Flushed += length;
        _pending = 0;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _cipher?.Dispose();
        if (_segment is not null)
        {
            ArrayPool<byte>.Shared.Return(_segment);
            ArrayPool<byte>.Shared.Return(_record!);
        }
    }
}
