using System.Globalization;

namespace EdgeGateway.Simulators.Dock;

/// <summary>Parses sizes such as <c>2GiB</c>, <c>256MiB</c>, <c>64KiB</c>, <c>10MB</c> or plain bytes.</summary>
internal static class SizeParser
{
    public static bool TryParse(string text, out long bytes)
    {
        var units = new (string Suffix, long Factor)[]
        {
            ("GiB", 1L << 30), ("MiB", 1L << 20), ("KiB", 1L << 10), ("GB", 1_000_000_000), ("MB", 1_000_000), ("KB", 1_000), ("B", 1),
        };
        foreach (var (suffix, factor) in units)
        {
            if (text.EndsWith(suffix, StringComparison.OrdinalIgnoreCase))
            {
                if (double.TryParse(text[..^suffix.Length], NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && value >= 0)
                {
                    bytes = (long)(value * factor);
                    return true;
                }

                bytes = 0;
                return false;
            }
        }

        return long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out bytes);
    }
}
