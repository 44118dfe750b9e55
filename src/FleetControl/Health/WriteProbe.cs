namespace FleetControl.Health;

/// <summary>Proves a directory takes writes: creates, fsyncs and deletes a small file in it.</summary>
internal static class WriteProbe
{
    /// <summary>Null when <paramref name="directory"/> took a write; otherwise why not.</summary>
    public static string? Try(string directory)
    {
        var path = Path.Combine(directory, ".health-probe-" + Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture));
        try
        {
            using (var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1, FileOptions.None))
            {
                stream.WriteByte(1);
                stream.Flush(true);
            }

            File.Delete(path);
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return $"{directory} does not take writes: {e.Message}";
        }
    }
}
