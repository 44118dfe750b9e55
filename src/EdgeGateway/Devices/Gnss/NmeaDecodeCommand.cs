using System.Text.Json;
using EdgeGateway.Devices.Gnss.Nmea;

namespace EdgeGateway.Devices.Gnss;

/// <summary><c>nmea decode FILE</c>: prints one gpsd-TPV-like JSON object per fix.</summary>
internal static class NmeaDecodeCommand
{
    private const string Usage = "usage: nmea decode FILE   (an NMEA 0183 capture; lines starting with '#' are comments)";

    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        var (capture, exitCode) = await Hosting.CaptureFileArgument.ReadAsync(args, Usage, "nmea decode", error, cancellationToken).ConfigureAwait(false);
        if (capture is null)
        {
            return exitCode;
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
