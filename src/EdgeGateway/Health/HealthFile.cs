using System.Text;
using System.Text.Json;
using EdgeGateway.Contracts.V1;
using Google.Protobuf;

namespace EdgeGateway.Health;

/// <summary>
/// The gateway's local health file, <c>{DataDirectory}/health.json</c>: the latest HealthReport as
/// readable JSON with who wrote it and when. Written atomically (temp file, then rename) so a reader
/// never sees half a file.
/// </summary>
internal static class HealthFile
{
    public const string FileName = "health.json";

    private static readonly JsonFormatter Formatter =
        new(JsonFormatter.Settings.Default.WithFormatDefaultValues(true).WithIndentation());

    public static string PathIn(string dataDirectory) => Path.Combine(Path.GetFullPath(dataDirectory), FileName);

    /// <summary>The file's JSON text.</summary>
    public static string Render(HealthReport report, string deviceId, string role, DateTimeOffset writtenAt)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            writer.WriteStartObject();
            writer.WriteString("deviceId", deviceId);
            writer.WriteString("role", role);
            writer.WriteString("writtenAt", writtenAt.UtcDateTime.ToString("O", System.Globalization.CultureInfo.InvariantCulture));
            writer.WritePropertyName("report");
            using (var reportJson = JsonDocument.Parse(Formatter.Format(report)))
            {
                reportJson.WriteTo(writer);
            }

            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray()) + "\n";
    }

    /// <summary>Writes <paramref name="json"/> to <paramref name="path"/> atomically.</summary>
    public static async Task WriteAtomicallyAsync(string path, string json, CancellationToken cancellationToken)
    {
        var directory = Path.GetDirectoryName(path)!;
        Directory.CreateDirectory(directory);
        var temp = Path.Combine(directory, $".{FileName}.{Guid.NewGuid():N}.tmp");
        try
        {
            var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 4096, FileOptions.Asynchronous);
            await using (stream.ConfigureAwait(false))
            {
                await stream.WriteAsync(Encoding.UTF8.GetBytes(json), cancellationToken).ConfigureAwait(false);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temp, path, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp))
            {
                File.Delete(temp);
            }
        }
    }
}
