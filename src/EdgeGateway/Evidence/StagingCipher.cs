using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace EdgeGateway.Evidence;

/// <summary>
/// The at-rest format of an encrypted staged copy (<c>data.partial</c> beside a wrapped <c>data.key</c>): the
/// plaintext is cut into segments of <see cref="SegmentSize"/> bytes (the last may be shorter), each stored as one
/// record <c>[12-byte random nonce][ciphertext][16-byte GCM tag]</c>, AES-256-GCM under the item's own data key, with
/// the tag <c>edgegateway.staging.v1</c>, the evidence id and the segment index as associated data (a record moved
/// to another place or item fails). Fixed segments keep resume and the prefix check working: a durable offset is a
/// segment boundary, and any plaintext offset maps to a record. Nonces are random (at most a few thousand records
/// per key), so a segment rewritten after a resume never reuses one. Not thread-safe: one instance per reader or writer.
/// </summary>
internal sealed class StagingCipher : IDisposable
{
    /// <summary>Plaintext bytes per record.</summary>
    public const int SegmentSize = 1024 * 1024;

    /// <summary>Nonce bytes at the start of a record.</summary>
    public const int NonceSize = 12;

    /// <summary>GCM tag bytes at the end of a record.</summary>
    public const int TagSize = 16;

    /// <summary>Bytes a record adds to its segment.</summary>
    public const int Overhead = NonceSize + TagSize;

    /// <summary>Bytes of a full record.</summary>
    public const int RecordSize = SegmentSize + Overhead;

    private static readonly byte[] Tag = Encoding.ASCII.GetBytes("edgegateway.staging.v1\0");
    private readonly AesGcm _aes;
    private readonly byte[] _associated;

    /// <param name="dataKey">The item's 32-byte data key (unwrapped).</param>
    /// <param name="evidenceId">The item the records belong to.</param>
    public StagingCipher(byte[] dataKey, string evidenceId)
    {
        _aes = new AesGcm(dataKey, TagSize);
        var id = Encoding.UTF8.GetBytes(evidenceId);
        _associated = new byte[Tag.Length + id.Length + 8];
        Tag.CopyTo(_associated, 0);
        id.CopyTo(_associated, Tag.Length);
    }

    /// <summary>Length of the staged file that holds the first <paramref name="plain"/> bytes as records.</summary>
    public static long FileLength(long plain) =>
        (plain / SegmentSize * RecordSize) + (plain % SegmentSize == 0 ? 0 : (plain % SegmentSize) + Overhead);

    /// <summary>Plaintext bytes held by complete records in a staged file of <paramref name="fileLength"/> bytes.</summary>
    public static long PlainLength(long fileLength)
    {
        var partial = fileLength % RecordSize;
        return (fileLength / RecordSize * SegmentSize) + Math.Max(0, partial - Overhead);
    }

    /// <summary>Encrypts segment <paramref name="index"/> into <paramref name="record"/> (<c>plain.Length + Overhead</c> bytes).</summary>
    public void Seal(long index, ReadOnlySpan<byte> plain, Span<byte> record)
    {
        var nonce = record[..NonceSize];
        RandomNumberGenerator.Fill(nonce);
        BinaryPrimitives.WriteInt64BigEndian(_associated.AsSpan(_associated.Length - 8), index);
        _aes.Encrypt(nonce, plain, record.Slice(NonceSize, plain.Length), record.Slice(NonceSize + plain.Length, TagSize), _associated);
    }

    /// <summary>Decrypts the record of segment <paramref name="index"/>; false when it fails authentication (altered, moved, wrong key).</summary>
    public bool TryOpen(long index, ReadOnlySpan<byte> record, Span<byte> plain)
    {
        if (record.Length < Overhead || plain.Length < record.Length - Overhead)
        {
            return false;
        }

        var length = record.Length - Overhead;
        BinaryPrimitives.WriteInt64BigEndian(_associated.AsSpan(_associated.Length - 8), index);
        try
        {
            _aes.Decrypt(record[..NonceSize], record.Slice(NonceSize, length), record[^TagSize..], plain[..length], _associated);
            return true;
        }
        catch (AuthenticationTagMismatchException)
        {
            return false;
        }
    }

    /// <inheritdoc />
    public void Dispose() => _aes.Dispose();
}
