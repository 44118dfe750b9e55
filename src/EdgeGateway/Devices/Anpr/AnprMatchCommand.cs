using System.Text.Json.Nodes;
using EdgeGateway.Contracts.V1;
using EdgeGateway.Devices.Anpr.Hotlists;
using EdgeGateway.Hosting;
using Microsoft.Extensions.Configuration;

namespace EdgeGateway.Devices.Anpr;

/// <summary>
/// <c>anpr match HOTLIST READS [--fuzzy none|ocr]</c>: matches every read of a CSV file against a hotlist CSV with
/// the gateway's own matcher and prints one JSON object per hit. HOTLIST has the header <c>vrm,list,reason,markers</c>
/// (markers separated by <c>;</c>), READS <c>vrm,time</c>. The fuzzy level is the configured <c>Anpr:Fuzzy</c> unless
/// given. Rows that do not parse are named on standard error and skipped. Exit 0 when both files were read, 2 on a
/// usage or header error.
/// </summary>
internal static class AnprMatchCommand
{
    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        FuzzyLevel? fuzzy = null;
        var files = new List<string>();
        for (var i = 0; i < args.Length; i++)
        {
            if (args[i] == "--fuzzy" && i + 1 < args.Length && Enum.TryParse<FuzzyLevel>(args[i + 1], ignoreCase: true, out var level) && Enum.IsDefined(level))
            {
                fuzzy = level;
                i++;
            }
            else if (args[i].StartsWith("--", StringComparison.Ordinal))
            {
                await error.WriteLineAsync($"anpr match: unknown option {args[i]} (--fuzzy none|ocr)").ConfigureAwait(false);
                return 2;
            }
            else
            {
                files.Add(args[i]);
            }
        }

        if (files.Count != 2)
        {
            await error.WriteLineAsync("usage: anpr match HOTLIST.csv READS.csv [--fuzzy none|ocr]").ConfigureAwait(false);
            return 2;
        }

        fuzzy ??= ConfiguredLevel();
        foreach (var file in files.Where(f => !File.Exists(f)))
        {
            await error.WriteLineAsync($"anpr match: {file}: no such file").ConfigureAwait(false);
            return 2;
        }

        var entries = new List<HotlistEntry>();
        var hotlistOk = await ReadCsvAsync(files[0], ["vrm", "list", "reason", "markers"], error, (line, fields) =>
        {
            var entry = new HotlistEntry { Vrm = fields[0], List = fields[1], Reason = fields[2] };
            entry.Markers.AddRange(fields[3].Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
            if (VrmKey.Normalise(fields[0]) is null)
            {
                return $"vrm '{fields[0]}' is not a plate";
            }

            entries.Add(entry);
            return null;
        }, cancellationToken).ConfigureAwait(false);
        if (!hotlistOk)
        {
            return 2;
        }

        var hotlist = Hotlist.Build(1, entries);
        var now = TimeProvider.System.GetUtcNow().ToUnixTimeMilliseconds();
        var readsOk = await ReadCsvAsync(files[1], ["vrm", "time"], error, (line, fields) =>
        {
            if (hotlist.TryMatch(fields[0], fuzzy.Value, now, out var match))
            {
                output.WriteLine(new JsonObject { ["read"] = fields[0], ["entry"] = match.EntryVrm, ["list"] = match.List, ["match"] = match.Kind }.ToJsonString(AnprJson.Options));
            }

            return null;
        }, cancellationToken).ConfigureAwait(false);
        return readsOk ? 0 : 2;
    }

    private static FuzzyLevel ConfiguredLevel()
    {
        var builder = GatewayHost.CreateBuilder([]);
        return builder.Configuration.GetValue<FuzzyLevel?>($"{AnprOptions.SectionName}:{nameof(AnprOptions.Fuzzy)}") ?? new AnprOptions().Fuzzy;
    }

    /// <summary>Reads a CSV with the expected header; <paramref name="row"/> returns null or why a row is skipped.</summary>
    private static async Task<bool> ReadCsvAsync(string path, string[] header, TextWriter error, Func<int, List<string>, string?> row, CancellationToken cancellationToken)
    {
        using var reader = new StreamReader(path);
        var first = await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false);
        var columns = first is null ? [] : CsvLine.Split(first.TrimStart('\uFEFF')).Select(c => c.Trim().ToLowerInvariant()).ToList();
        if (!columns.SequenceEqual(header))
        {
            await error.WriteLineAsync($"anpr match: {path}: the header must be '{string.Join(',', header)}', not '{first}'").ConfigureAwait(false);
            return false;
        }

        var number = 1;
        var skipped = 0;
        while (await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
        {
            number++;
            if (line.Length == 0)
            {
                continue;
            }

            var fields = CsvLine.Split(line);
            var problem = fields.Count != header.Length ? $"{fields.Count} fields, expected {header.Length}" : row(number, fields);
            if (problem is not null)
            {
                skipped++;
                await error.WriteLineAsync($"anpr match: {path}:{number}: skipped: {problem}").ConfigureAwait(false);
            }
        }

        if (skipped > 0)
        {
            await error.WriteLineAsync($"anpr match: {path}: {skipped} row(s) skipped").ConfigureAwait(false);
        }

        return true;
    }
}
