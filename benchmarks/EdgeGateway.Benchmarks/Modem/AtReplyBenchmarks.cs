using System.Buffers;
using System.Text;
using BenchmarkDotNet.Attributes;
using EdgeGateway.Devices.Modem;

namespace EdgeGateway.Benchmarks.Modem;

/// <summary>
/// AT reply parsing per line on a modem exchange (echoes, +CREG/+CSQ/+COPS replies, a +CEREG URC, a model
/// string, result codes, mixed CR/LF framing): the gateway's span reader + exchange classifier +
/// registration decoder against a string.Split parser doing the same job.
/// </summary>
[MemoryDiagnoser]
public class AtReplyBenchmarks
{
    private const int Blocks = 40;
    private const int Lines = Blocks * 13;

    private const string Block =
        "AT+CREG?\r\r\n+CREG: 2,5,\"2AF5\",\"0B88E350\",2\r\n\r\nOK\r\n"
        + "AT+CSQ\r\r\n+CSQ: 20,99\r\n\r\nOK\r\n"
        + "+CEREG: 1,\"00C3\",\"0101ABCD\",7\r\n"
        + "AT+COPS?\r\r\n+COPS: 0,0,\"EE\",7\r\n\r\nOK\r\n"
        + "AT+CGMM\r\r\n MULTIBAND  900E  1800 \r\n\r\nOK\r\n";

    private byte[] _input = [];
    private AtReader _reader = null!;

    [GlobalSetup]
    public void Setup()
    {
        _input = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat(Block, Blocks)));
        _reader = new AtReader(new AtReaderCounters());
        var lines = SpanReader();
        var naive = StringSplit();
        if (lines != Lines || naive != Lines)
        {
            throw new InvalidOperationException($"Expected {Lines} lines, read {lines} (span) and {naive} (split).");
        }
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Lines)]
    public int StringSplit()
    {
        var count = 0;
        string? pending = null;
        foreach (var raw in Encoding.ASCII.GetString(_input).Split('\n'))
        {
            var line = raw.Trim('\r');
            if (line.Trim().Length == 0)
            {
                continue;
            }

            count++;
            if (line is "OK" or "ERROR" || line.StartsWith("+CME ERROR", StringComparison.Ordinal))
            {
                pending = null;
            }
            else if (line.StartsWith("AT", StringComparison.OrdinalIgnoreCase))
            {
                pending = line[2..].TrimStart('+').Split('?', '=')[0];
            }
            else if (line.StartsWith('+'))
            {
                var parts = line.Split(':', 2);
                var name = parts[0][1..];
                if (name is "CREG" or "CGREG" or "CEREG")
                {
                    var fields = parts[1].Split(',').Select(f => f.Trim().Trim('"')).ToArray();
                    var at = name == pending ? 1 : 0;
                    _ = int.Parse(fields[at], System.Globalization.CultureInfo.InvariantCulture);
                    _ = Convert.ToInt64(fields[at + 1], 16);
                    _ = Convert.ToInt64(fields[at + 2], 16);
                }
            }
        }

        return count;
    }

    [Benchmark(OperationsPerInvoke = Lines)]
    public int SpanReader()
    {
        var dialogue = new AtDialogue();
        var buffer = new ReadOnlySequence<byte>(_input);
        var count = 0;
        while (_reader.TryRead(ref buffer, out var line))
        {
            count++;
            var kind = dialogue.Classify(line, detectEchoes: true, out var name, out _, out _);
            if (kind is AtLineKind.Info or AtLineKind.Unsolicited && RegistrationReport.IsRegistrationName(name))
            {
                _ = RegistrationReport.Parse(AtSyntax.Parameters(line.Bytes), solicited: kind == AtLineKind.Info);
            }
        }

        return count;
    }
}
