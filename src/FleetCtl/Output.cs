using System.Text.Json;

namespace FleetCtl;

/// <summary>Prints results as a table (default) or as the raw JSON (<c>--json</c>).</summary>
internal sealed class Output(TextWriter writer, bool json)
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public bool Json => json;

    /// <summary>A list: one row per element, the given columns (dotted paths into each element).</summary>
    public void Table(JsonElement rows, params string[] columns)
    {
        if (json)
        {
            Raw(rows);
            return;
        }

        var cells = rows.EnumerateArray().Select(row => columns.Select(c => Cell(row, c)).ToArray()).ToList();
        var widths = columns.Select((c, i) => Math.Max(c.Length, cells.Count == 0 ? 0 : cells.Max(r => r[i].Length))).ToArray();
        writer.WriteLine(string.Join("  ", columns.Select((c, i) => c.PadRight(widths[i]))).TrimEnd());
        foreach (var row in cells)
        {
            writer.WriteLine(string.Join("  ", row.Select((c, i) => c.PadRight(widths[i]))).TrimEnd());
        }
    }

    /// <summary>One object: "key: value" lines for the given fields.</summary>
    public void Fields(JsonElement item, params string[] fields)
    {
        if (json)
        {
            Raw(item);
            return;
        }

        var width = fields.Max(f => f.Length);
        foreach (var field in fields)
        {
            writer.WriteLine($"{(field + ":").PadRight(width + 1)} {Cell(item, field)}");
        }
    }

    public void Raw(JsonElement item) => writer.WriteLine(JsonSerializer.Serialize(item, Indented));

    public void Line(string text)
    {
        if (!json)
        {
            writer.WriteLine(text);
        }
    }

    /// <summary>The value at a dotted path, as text ("-" when absent or null).</summary>
    public static string Cell(JsonElement element, string path)
    {
        var current = element;
        foreach (var part in path.Split('.'))
        {
            if (current.ValueKind != JsonValueKind.Object || !current.TryGetProperty(part, out current))
            {
                return "-";
            }
        }

        return current.ValueKind switch
        {
            JsonValueKind.Null or JsonValueKind.Undefined => "-",
            JsonValueKind.String => current.GetString() ?? "-",
            JsonValueKind.Array => string.Join(",", current.EnumerateArray().Select(e => e.ValueKind == JsonValueKind.String ? e.GetString() : e.GetRawText())),
            _ => current.GetRawText(),
        };
    }
}
