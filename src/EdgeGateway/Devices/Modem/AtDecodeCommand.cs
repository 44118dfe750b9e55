using System.Text.Json;

namespace EdgeGateway.Devices.Modem;

/// <summary>
/// <c>at decode FILE</c>: prints one JSON object per reply line of a captured AT exchange:
/// <c>{"line":...,"kind":"final|info|unsolicited|echo|invalid","command":"CREG",...}</c>, plus
/// <c>stat</c>, <c>lac</c>, <c>ci</c> (integers, from hex) and <c>act</c> for registration lines, and
/// <c>invalid</c> naming fields present but not decodable. Exits 0 on any content.
/// </summary>
internal static class AtDecodeCommand
{
    /// <summary>Readable output: quotes and '+' as themselves, still valid JSON.</summary>
    private static readonly JsonWriterOptions JsonOptions = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private const string Usage = "usage: at decode FILE   (a captured AT exchange: echoes, replies, result codes)";

    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        var (capture, exitCode) = await Hosting.CaptureFileArgument.ReadAsync(args, Usage, "at decode", error, cancellationToken).ConfigureAwait(false);
        if (capture is null)
        {
            return exitCode;
        }

        var counters = new AtReaderCounters();
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        foreach (var line in AtCaptureDecoder.Decode(capture, counters))
        {
            buffer.ResetWrittenCount();
            using (var writer = new Utf8JsonWriter(buffer, JsonOptions))
            {
                Write(writer, line);
            }

            await output.WriteLineAsync(System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan).AsMemory(), cancellationToken).ConfigureAwait(false);
        }

        await output.FlushAsync(cancellationToken).ConfigureAwait(false);
        return 0;
    }

    /// <summary>The JSON object of one decoded line.</summary>
    public static void Write(Utf8JsonWriter writer, AtDecodedLine line)
    {
        writer.WriteStartObject();
        writer.WriteString("line", line.Line);
        writer.WriteString("kind", KindName(line.Kind));
        if (line.Command is not null)
        {
            writer.WriteString("command", line.Command);
        }

        if (line.Registration is { } r)
        {
            WriteOptional(writer, "stat", r.Stat);
            WriteOptional(writer, "lac", r.Lac);
            WriteOptional(writer, "ci", r.CellId);
            WriteOptional(writer, "act", r.AccessTechnology);
            if (r.InvalidFields.Count > 0)
            {
                writer.WriteStartArray("invalid");
                foreach (var name in r.InvalidFields)
                {
                    writer.WriteStringValue(name);
                }

                writer.WriteEndArray();
            }
        }

        writer.WriteEndObject();
    }

    /// <summary>The <c>kind</c> value of a line.</summary>
    public static string KindName(AtLineKind kind) => kind switch
    {
        AtLineKind.Final => "final",
        AtLineKind.Info => "info",
        AtLineKind.Unsolicited => "unsolicited",
        AtLineKind.Echo => "echo",
        _ => "invalid",
    };

    private static void WriteOptional(Utf8JsonWriter writer, string name, long? value)
    {
        if (value is { } v)
        {
            writer.WriteNumber(name, v);
        }
    }
}
