using System.Buffers.Binary;
using System.Security.Cryptography;

namespace EdgeGateway.Core;

/// <summary>
/// Issues UUIDv7 message ids that strictly increase for this gateway: within one millisecond, when
/// the clock steps backwards, and across restarts (the outbox persists the highest id it stored and
/// raises the floor with <see cref="EnsureAfter"/> when it opens).
/// </summary>
/// <remarks>
/// Layout (RFC 9562): 48-bit Unix milliseconds, version 7, then 74 bits (12 of rand_a, 62 of
/// rand_b) used here as one counter. A new millisecond seeds the counter with random bits below
/// 2^72 so there is room to count up; within a millisecond (or while the clock lags the floor) the
/// counter increments and, on the rare overflow, the timestamp is advanced by one. The big-endian
/// bytes and the lowercase hex form therefore both sort by issue order.
/// </remarks>
internal sealed class MonotonicMessageIdGenerator
{
    /// <summary>Size of the binary id.</summary>
    public const int ByteLength = 16;

    private static readonly UInt128 CounterMax = (UInt128.One << 74) - 1;
    private static readonly UInt128 SeedLimit = UInt128.One << 72;

    private readonly TimeProvider _timeProvider;
    private readonly Lock _gate = new();
    private long _lastMilliseconds = -1;
    private UInt128 _lastCounter;

    public MonotonicMessageIdGenerator(TimeProvider timeProvider)
    {
        _timeProvider = timeProvider;
    }

    /// <summary>Makes every later id greater than <paramref name="id"/> (a 16-byte big-endian UUID).</summary>
    public void EnsureAfter(ReadOnlySpan<byte> id)
    {
        if (id.Length != ByteLength)
        {
            return;
        }

        var (milliseconds, counter) = Decode(id);
        lock (_gate)
        {
            if (milliseconds > _lastMilliseconds || (milliseconds == _lastMilliseconds && counter > _lastCounter))
            {
                _lastMilliseconds = milliseconds;
                _lastCounter = counter;
            }
        }
    }

    /// <summary>Writes the next id (16 bytes, big-endian) into <paramref name="destination"/>.</summary>
    public void Next(Span<byte> destination)
    {
        var now = _timeProvider.GetUtcNow().ToUnixTimeMilliseconds();
        long milliseconds;
        UInt128 counter;
        lock (_gate)
        {
            if (now > _lastMilliseconds)
            {
                _lastMilliseconds = now;
                _lastCounter = RandomSeed();
            }
            else if (_lastCounter >= CounterMax)
            {
                _lastMilliseconds++;
                _lastCounter = RandomSeed();
            }
            else
            {
                _lastCounter++;
            }

            milliseconds = _lastMilliseconds;
            counter = _lastCounter;
        }

        Encode(milliseconds, counter, destination);
    }

    /// <summary>The next id in its canonical lowercase string form.</summary>
    public string NextString()
    {
        Span<byte> bytes = stackalloc byte[ByteLength];
        Next(bytes);
        return Format(bytes);
    }

    /// <summary>Lowercase hyphenated form ("D") of a big-endian 16-byte id.</summary>
    public static string Format(ReadOnlySpan<byte> id) => new Guid(id, bigEndian: true).ToString("D");

    /// <summary>Parses the string form into 16 big-endian bytes.</summary>
    public static bool TryParse(string? text, Span<byte> destination)
    {
        return Guid.TryParse(text, out var guid) && guid.TryWriteBytes(destination, bigEndian: true, out _);
    }

    /// <summary>The Unix-millisecond timestamp carried by an id.</summary>
    public static long TimestampOf(ReadOnlySpan<byte> id) => Decode(id).Milliseconds;

    /// <summary>The smallest possible id with the given timestamp (a range bound for queries).</summary>
    public static byte[] LowerBoundFor(long unixMilliseconds)
    {
        var bytes = new byte[ByteLength];
        Encode(Math.Max(0, unixMilliseconds), UInt128.Zero, bytes);
        return bytes;
    }

    private static UInt128 RandomSeed()
    {
        Span<byte> random = stackalloc byte[16];
        RandomNumberGenerator.Fill(random);
        return BinaryPrimitives.ReadUInt128BigEndian(random) % SeedLimit;
    }

    private static void Encode(long milliseconds, UInt128 counter, Span<byte> destination)
    {
        var randA = (ulong)(counter >> 62) & 0x0FFF;
        var randB = (ulong)(counter & ((UInt128.One << 62) - 1));
        var high = ((ulong)milliseconds << 16) | 0x7000UL | randA;
        var low = 0x8000_0000_0000_0000UL | randB;
        BinaryPrimitives.WriteUInt64BigEndian(destination, high);
        BinaryPrimitives.WriteUInt64BigEndian(destination[8..], low);
    }

    private static (long Milliseconds, UInt128 Counter) Decode(ReadOnlySpan<byte> id)
    {
        var high = BinaryPrimitives.ReadUInt64BigEndian(id);
        var low = BinaryPrimitives.ReadUInt64BigEndian(id[8..]);
        var milliseconds = (long)(high >> 16);
        var counter = ((UInt128)(high & 0x0FFF) << 62) | (low & 0x3FFF_FFFF_FFFF_FFFFUL);
        return (milliseconds, counter);
    }
}
