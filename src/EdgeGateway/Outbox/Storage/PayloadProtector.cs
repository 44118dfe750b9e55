using System.Buffers.Binary;
using System.Security.Cryptography;
using EdgeGateway.Contracts.Security;
using EdgeGateway.Security;
using LiteDB;

namespace EdgeGateway.Outbox.Storage;

/// <summary>
/// Encrypts the outbox's payloads at rest with AES-256-GCM. The data key is kept only wrapped
/// (<see cref="IDataKeyWrapper"/>) in <c>{outbox file}.key</c> (mode 0600). A stored payload is
/// <c>[0x01][12-byte nonce][ciphertext][16-byte tag]</c> with the message id as associated data (a payload moved to
/// another document fails), and the document carries <see cref="Field"/> = 1. The nonce is a 4-byte epoch, raised and
/// fsynced in <c>{outbox file}.epoch</c> every time the key is opened, then an 8-byte counter within the epoch, so no
/// nonce repeats under one key (not across restarts, crashes or salvage). The CRC32C (<see cref="MessageChecksum"/>)
/// stays over the stored bytes; the GCM tag adds an authenticity check. A document without the field is a plaintext
/// one from before encryption, read as it is, so an existing outbox still drains. <see cref="Plaintext"/> stores
/// payloads as they are (Outbox:EncryptPayloads=false).
/// </summary>
internal sealed class PayloadProtector
{
    /// <summary>Document field marking an encrypted payload (Int32 format version, 1).</summary>
    public const string Field = "e";

    private const byte FormatVersion = 1;
    private const int NonceSize = 12;
    private const int TagSize = 16;
    private const int Overhead = 1 + NonceSize + TagSize;
    private readonly AesGcm? _aes;
    private readonly uint _epoch;
    private readonly bool _encryptNew;
    private long _counter;

    private PayloadProtector(AesGcm? aes, uint epoch, bool encryptNew)
    {
        _aes = aes;
        _epoch = epoch;
        _encryptNew = encryptNew && aes is not null;
    }

    /// <summary>Stores payloads unencrypted (and still reads encrypted ones as corrupt: there is no key).</summary>
    public static PayloadProtector Plaintext { get; } = new(null, 0, encryptNew: false);

    /// <summary>True when new payloads are encrypted.</summary>
    public bool Encrypts => _encryptNew;

    /// <summary>
    /// The protector the configuration asks for on the configured outbox file. With encryption turned off, an
    /// existing data key is still opened so that messages encrypted earlier drain; new ones are stored plain.
    /// </summary>
    /// <remarks>
    /// A disk too full to write the key or the raised epoch must not stop the gateway storing evidence: new
    /// messages are then stored plain until the next start (encrypted ones still open), and
    /// <see cref="Unavailable"/> says why, for the log.
    /// </remarks>
    public static PayloadProtector For(OutboxOptions options, Hosting.GatewayOptions gateway, IDataKeyWrapper wrapper)
    {
        var path = Path.GetFullPath(Path.Combine(gateway.DataDirectory, options.FileName));
        if (!options.EncryptPayloads && !File.Exists(path + ".key"))
        {
            return Plaintext;
        }

        try
        {
            return Open(path, wrapper, options.EncryptPayloads);
        }
        catch (IOException e) when (File.Exists(path + ".key"))
        {
            return new PayloadProtector(new AesGcm(wrapper.Unwrap(File.ReadAllBytes(path + ".key")), TagSize), 0, encryptNew: false) { Unavailable = e.Message };
        }
        catch (IOException e)
        {
            return new PayloadProtector(null, 0, encryptNew: false) { Unavailable = e.Message };
        }
    }

    /// <summary>Why new payloads are stored plain although encryption is configured (null when it is not the case).</summary>
    public string? Unavailable { get; private init; }

    /// <summary>
    /// The protector of the outbox at <paramref name="outboxPath"/>: its data key unwrapped (created and wrapped on
    /// first use) and its nonce epoch raised durably before any payload is encrypted.
    /// </summary>
    public static PayloadProtector Open(string outboxPath, IDataKeyWrapper wrapper, bool encryptNew = true)
    {
        var keyPath = outboxPath + ".key";
        byte[] key;
        if (File.Exists(keyPath))
        {
            key = wrapper.Unwrap(File.ReadAllBytes(keyPath));
        }
        else
        {
            key = RandomNumberGenerator.GetBytes(32);
            Directory.CreateDirectory(Path.GetDirectoryName(keyPath)!);
            PrivateFile.WriteAllBytes(keyPath, wrapper.Wrap(key));
        }

        var epochPath = outboxPath + ".epoch";
        var epoch = File.Exists(epochPath) && File.ReadAllBytes(epochPath) is { Length: 4 } stored ? BinaryPrimitives.ReadUInt32BigEndian(stored) : 0u;
        epoch = checked(epoch + 1);
        var next = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(next, epoch);
        PrivateFile.WriteAllBytes(epochPath, next); // atomic and fsynced: durable before the first nonce of this epoch
        return new PayloadProtector(new AesGcm(key, TagSize), epoch, encryptNew);
    }

    /// <summary>The stored form of <paramref name="payload"/> for the document with id <paramref name="id"/>.</summary>
    public byte[] Protect(ReadOnlySpan<byte> id, byte[] payload)
    {
        if (!_encryptNew)
        {
            return payload;
        }

        var stored = new byte[Overhead + payload.Length];
        stored[0] = FormatVersion;
        var nonce = stored.AsSpan(1, NonceSize);
        BinaryPrimitives.WriteUInt32BigEndian(nonce, _epoch);
        BinaryPrimitives.WriteInt64BigEndian(nonce[4..], Interlocked.Increment(ref _counter));
        _aes!.Encrypt(nonce, payload, stored.AsSpan(1 + NonceSize, payload.Length), stored.AsSpan(1 + NonceSize + payload.Length), id);
        return stored;
    }

    /// <summary>Adds the stored payload and its marker to a new document.</summary>
    public void Store(BsonDocument document, byte[] id, byte[] payload)
    {
        document["b"] = Protect(id, payload);
        if (_encryptNew)
        {
            document[Field] = (int)FormatVersion;
        }
    }

    /// <summary>
    /// The plaintext payload of a stored document, or null when it cannot be read: an encrypted payload that fails
    /// authentication (altered, moved, or no key), or an unknown format. The caller counts it as corrupt.
    /// </summary>
    public byte[]? TryOpen(BsonDocument document)
    {
        var stored = document["b"];
        if (!stored.IsBinary)
        {
            return null;
        }

        var marker = document[Field];
        var bytes = stored.AsBinary;
        if (marker.IsNull)
        {
            // Written before encryption: a serialized envelope, which never starts with the format byte (a
            // protobuf tag of field 0 is invalid). One that does lost its marker to damage (a flipped bit in the
            // field's name): it is opened as encrypted, so damage never passes ciphertext on as an envelope.
            if (bytes.Length == 0 || bytes[0] != FormatVersion)
            {
                return bytes;
            }
        }
        else if (!marker.IsInt32 || marker.AsInt32 != FormatVersion)
        {
            return null;
        }

        if (_aes is null || bytes.Length < Overhead || bytes[0] != FormatVersion || !document["_id"].IsBinary)
        {
            return null;
        }

        var plaintext = new byte[bytes.Length - Overhead];
        try
        {
            _aes.Decrypt(bytes.AsSpan(1, NonceSize), bytes.AsSpan(1 + NonceSize, plaintext.Length), bytes.AsSpan(^TagSize), plaintext, document["_id"].AsBinary);
        }
        catch (AuthenticationTagMismatchException)
        {
            return null;
        }

        return plaintext;
    }
}
