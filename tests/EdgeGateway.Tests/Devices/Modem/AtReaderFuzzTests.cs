using System.Buffers;
using System.Text;
using EdgeGateway.Devices.Modem;

namespace EdgeGateway.Tests.Devices.Modem;

/// <summary>Property test: the reader, the classifier and the registration decoder take anything without throwing.</summary>
public sealed class AtReaderFuzzTests
{
    private static readonly byte[][] Seeds =
    [
        .. AtCaptures.All().Select(File.ReadAllBytes),
        "AT+CMGS=1234,96\r\r\n> 0A0B0C\u001a\r\n+CMGS: 1234,5,3,17\r\nOK\r\n"u8.ToArray(),
        "+CTSDSR: 13,1001,0,2002,0,16\r\n0000\r\n+CEREG: 1,\"00C3\",\"0101ABCD\",7\r\n+CME ERROR: 30\r\n"u8.ToArray(),
    ];

    [Fact]
    public void ReaderAndDialogue_OneMillionRandomAndMutatedInputs_NeverThrow()
    {
        var random = new Random(20261201);
        var counters = new AtReaderCounters();
        var reader = new AtReader(counters);
        var dialogue = new AtDialogue();
        var scratch = new byte[512];
        long lines = 0;
        for (var i = 0; i < 1_000_000; i++)
        {
            var input = i % 2 == 0 ? Random(random, scratch) : Mutate(random, scratch);
            var buffer = new ReadOnlySequence<byte>(scratch, 0, input);
            reader.ExpectPrompt = (i & 7) == 0;
            while (reader.TryRead(ref buffer, isFinalBlock: (i & 3) == 0, out var line))
            {
                lines++;
                var kind = dialogue.Classify(line, detectEchoes: (i & 1) == 0, out var name, out _, out _);
                if (kind != AtLineKind.Invalid && RegistrationReport.IsRegistrationName(name))
                {
                    _ = RegistrationReport.Parse(AtSyntax.Parameters(line.Bytes), solicited: kind == AtLineKind.Info);
                }
            }
        }

        Assert.True(lines > 100_000, $"only {lines} lines were produced; the generator is not exercising the reader");
        Assert.True(counters.RejectedTotal > 0);
    }

    [Fact]
    public void Decoder_MutatedCaptures_NeverThrow_AndEveryLineHasAKind()
    {
        var random = new Random(7);
        var scratch = new byte[512];
        for (var i = 0; i < 5_000; i++)
        {
            var length = Mutate(random, scratch);
            var decoded = AtCaptureDecoder.Decode(scratch.AsSpan(0, length), new AtReaderCounters());
            Assert.All(decoded, d => Assert.True(Enum.IsDefined(d.Kind)));
        }
    }

    /// <summary>Maps a random byte to mostly AT-ish text (letters, digits, quotes, commas, line ends) and some raw bytes.</summary>
    private static readonly byte[] Alphabet = BuildAlphabet();

    private static byte[] BuildAlphabet()
    {
        const string text = "AT+CREGSQ:,\"0123456789ABCDEF OKERROR\r\n>";
        var table = new byte[256];
        for (var i = 0; i < 256; i++)
        {
            table[i] = i < 224 ? (byte)text[i % text.Length] : (byte)(i * 7);
        }

        return table;
    }

    private static int Random(Random random, byte[] into)
    {
        var length = random.Next(1, 128);
        random.NextBytes(into.AsSpan(0, length));
        for (var i = 0; i < length; i++)
        {
            into[i] = Alphabet[into[i]];
        }

        return length;
    }

    private static int Mutate(Random random, byte[] into)
    {
        var seed = Seeds[random.Next(Seeds.Length)];
        var length = Math.Min(seed.Length, into.Length);
        seed.AsSpan(0, length).CopyTo(into);
        var mutations = random.Next(1, 6);
        for (var m = 0; m < mutations && length > 0; m++)
        {
            var at = random.Next(length);
            switch (random.Next(4))
            {
                case 0:
                    into[at] = (byte)random.Next(256);
                    break;
                case 1:
                    into[at] = (byte)"\",\r\n:+"[random.Next(6)];
                    break;
                case 2:
                    length = at; // truncate
                    break;
                default:
                    Array.Copy(into, at, into, Math.Min(at + 1, into.Length - 1), Math.Min(length - at, into.Length - at - 1));
                    into[at] = (byte)'"';
                    length = Math.Min(length + 1, into.Length);
                    break;
            }
        }

        return Math.Max(length, 1);
    }
}
