using System.Buffers;
using Microsoft.Win32.SafeHandles;

namespace EdgeGateway.Evidence;

/// <summary>
/// Reads the plaintext of a staged copy at any offset: as stored when it was staged in plaintext, or by decrypting
/// the <see cref="StagingCipher"/> records that hold the range (the last record read is kept, so sequential reads
/// decrypt each record once). A record that fails authentication throws <see cref="InvalidDataException"/>: the
/// staged copy was altered, and its bytes are never passed on as evidence.
/// </summary>
internal sealed class StagedFileReader : IDisposable
{
    private readonly SafeFileHandle _file;
    private readonly bool _ownsFile;
    private readonly StagingCipher? _cipher;
    private readonly byte[]? _record;
    private readonly byte[]? _plain;
    private long _segment = -1;
    private int _segmentLength;

    /// <param name="file">The staged file.</param>
    /// <param name="cipher">The item's cipher, or null for a plaintext copy.</param>
    /// <param name="ownsFile">Close <paramref name="file"/> on dispose.</param>
    public StagedFileReader(SafeFileHandle file, StagingCipher? cipher, bool ownsFile)
    {
        _file = file;
        _cipher = cipher;
        _ownsFile = ownsFile;
        if (cipher is not null)
        {
            _record = ArrayPool<byte>.Shared.Rent(StagingCipher.RecordSize);
            _plain = ArrayPool<byte>.Shared.Rent(StagingCipher.SegmentSize);
        }
    }

    /// <summary>The staged file's handle (page-cache bookkeeping).</summary>
    public SafeFileHandle Handle => _file;

    /// <summary>The file offset that holds <paramref name="plain"/> plaintext bytes.</summary>
    public long FileOffset(long plain) => _cipher is null ? plain : StagingCipher.FileLength(plain);

    /// <summary>Reads up to <c>into.Length</c> plaintext bytes at <paramref name="offset"/>; fewer only at the end of the staged data.</summary>
    public async ValueTask<int> ReadAsync(long offset, Memory<byte> into, CancellationToken cancellationToken)
    {
        if (_cipher is null)
        {
            var read = 0;
            while (read < into.Length)
            {
                var n = await RandomAccess.ReadAsync(_file, into[read..], offset + read, cancellationToken).ConfigureAwait(false);
                if (n == 0)
                {
                    break;
                }

                read += n;
            }

            return read;
        }

        var done = 0;
        while (done < into.Length)
        {
            var at = offset + done;
            var index = at / StagingCipher.SegmentSize;
            if (at % StagingCipher.SegmentSize == 0 && into.Length - done >= StagingCipher.SegmentSize && index != _segment)
            {
                // A whole record wanted: decrypted straight into the caller's buffer.
                var n = await LoadAsync(index, into[done..], cancellationToken).ConfigureAwait(false);
                if (n < 0)
                {
                    break;
                }

                done += n;
                if (n < StagingCipher.SegmentSize)
                {
                    break; // the last, short record
                }

                continue;
            }

            if (index != _segment && !await LoadAsync(index, cancellationToken).ConfigureAwait(false))
            {
                break;
            }

            var within = (int)(at % StagingCipher.SegmentSize);
            if (within >= _segmentLength)
            {
                break;
            }

            var take = Math.Min(into.Length - done, _segmentLength - within);
            _plain.AsSpan(within, take).CopyTo(into.Span[done..]);
            done += take;
        }

        return done;
    }

    private async ValueTask<bool> LoadAsync(long index, CancellationToken cancellationToken)
    {
        var n = await LoadAsync(index, _plain, cancellationToken).ConfigureAwait(false);
        if (n < 0)
        {
            return false;
        }

        _segment = index;
        _segmentLength = n;
        return true;
    }

    /// <summary>Reads and decrypts record <paramref name="index"/> into <paramref name="plain"/>; its plaintext length, or -1 past the end.</summary>
    private async ValueTask<int> LoadAsync(long index, Memory<byte> plain, CancellationToken cancellationToken)
    {
        var position = index * StagingCipher.RecordSize;
        var length = 0;
        while (length < StagingCipher.RecordSize)
        {
            var n = await RandomAccess.ReadAsync(_file, _record.AsMemory(length, StagingCipher.RecordSize - length), position + length, cancellationToken).ConfigureAwait(false);
            if (n == 0)
            {
                break;
            }

            length += n;
        }

        if (length == 0)
        {
            return -1;
        }

        if (!_cipher!.TryOpen(index, _record.AsSpan(0, length), plain.Span))
        {
            _segment = -1;
            throw new InvalidDataException($"staged record {index} (file offset {position}) fails authentication: the staged copy was altered or cut short");
        }

        return length - StagingCipher.Overhead;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _cipher?.Dispose();
        if (_record is not null)
        {
            ArrayPool<byte>.Shared.Return(_record);
            ArrayPool<byte>.Shared.Return(_plain!);
        }

        if (_ownsFile)
        {
            _file.Dispose();
        }
    }
}
