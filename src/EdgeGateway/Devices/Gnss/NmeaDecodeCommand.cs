using System.Text.Json;
using EdgeGateway.Devices.Gnss.Nmea;

namespace EdgeGateway.Devices.Gnss;

/// <summary><c>nmea decode FILE</c>: prints one gpsd-TPV-like JSON object per fix.</summary>
internal static class NmeaDecodeCommand
{
    private const string Usage = "usage: nmea decode FILE   (an NMEA 0183 capture; lines starting with '#' are comments)";

    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        if (args.Length != 1 || string.IsNullOrWhiteSpace(args[0]) || args[0].StartsWith('-'))
        {
            await error.WriteLineAsync(Usage.AsMemory(), cancellationToken).ConfigureAwait(false);
            return 2;
        }

        byte[] capture;
        try
        {
            capture = await File.ReadAllBytesAsync(args[0], cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            await error.WriteLineAsync($"nmea decode: cannot read '{args[0]}': {ex.Message}".AsMemory(), cancellationToken).ConfigureAwait(false);
            return 1;
        }

        var counters = new NmeaReaderCounters();
        var fixes = NmeaCaptureDecoder.Decode(capture, counters);
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        foreach (var fix in fixes)
        {
            buffer.ResetWrittenCount();
            using (var writer = new Utf8JsonWriter(buffer))
            {
                GnssFixJson.Write(writer, fix);
            }

            await output.WriteLineAsync(System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan).AsMemory(), cancellationToken).ConfigureAwait(false);
        }

        await output.FlushAsync(cancellationToken).ConfigureAwait(false);
        return 0;
    }
}
