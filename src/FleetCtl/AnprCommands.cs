using System.CommandLine;

namespace FleetCtl;

/// <summary>
/// <c>fleetctl anpr</c>: read searches and hotlist management over FleetControl's ANPR API (<c>/api/anpr</c>).
/// <c>reads</c> needs the evidence-officer or administrator role; <c>hotlist</c> engineer or administrator.
/// </summary>
internal static class AnprCommands
{
    public static Command Build(Func<Func<FleetClient, Output, ParseResult, CancellationToken, Task<int>>, Func<ParseResult, CancellationToken, Task<int>>> run)
    {
        var anpr = new Command("anpr", "ANPR reads and hotlists");

        var vrm = new Option<string?>("--vrm") { Description = "One VRM (normalised: case and spaces do not matter)" };
        var from = new Option<DateTimeOffset?>("--from") { Description = "Camera time from (inclusive, ISO 8601)" };
        var to = new Option<DateTimeOffset?>("--to") { Description = "Camera time to (exclusive)" };
        var device = new Option<string?>("--device") { Description = "One vehicle" };
        var area = new Option<string?>("--area") { Description = "south,west,north,east in degrees" };
        var limit = new Option<int?>("--limit") { Description = "Most reads (default 1000)" };
        var reads = new Command("reads", "Search stored reads, newest first (audited)") { vrm, from, to, device, area, limit };
        reads.SetAction(run(async (api, output, parse, ct) =>
        {
            var query = new List<string>();
            void Add(string name, string? value)
            {
                if (value is not null)
                {
                    query.Add($"{name}={Uri.EscapeDataString(value)}");
                }
            }

            Add("vrm", parse.GetValue(vrm));
            Add("from", parse.GetValue(from)?.ToString("o"));
            Add("to", parse.GetValue(to)?.ToString("o"));
            Add("deviceId", parse.GetValue(device));
            Add("area", parse.GetValue(area));
            Add("limit", parse.GetValue(limit)?.ToString(System.Globalization.CultureInfo.InvariantCulture));
            var found = await api.GetAsync("/api/anpr/reads?" + string.Join('&', query), ct).ConfigureAwait(false);
            output.Table(found.GetProperty("reads"), "cameraTime", "deviceId", "vrm", "confidence", "cameraId", "latitude", "longitude", "readId");
            return ExitCodes.Ok;
        }));

        var hotlist = new Command("hotlist", "The vehicle-of-interest hotlist");
        var show = new Command("show", "Version, entries and the version each vehicle holds");
        show.SetAction(run(async (api, output, parse, ct) =>
        {
            var status = await api.GetAsync("/api/anpr/hotlist", ct).ConfigureAwait(false);
            if (output.Json)
            {
                output.Raw(status);
                return ExitCodes.Ok;
            }

            output.Fields(status, "version", "entries");
            output.Table(status.GetProperty("devices"), "deviceId", "version", "upToDate", "pendingVersion", "reportedAt");
            return ExitCodes.Ok;
        }));

        var addVrm = new Argument<string>("vrm") { Description = "The VRM" };
        var list = new Option<string>("--list") { Description = "The list (e.g. stolen, wanted, no-insurance)", Required = true };
        var reason = new Option<string>("--reason") { Description = "What the officer is told", Required = true };
        var markers = new Option<string[]>("--marker") { Description = "A warning marker (repeatable)", AllowMultipleArgumentsPerToken = false };
        var expires = new Option<DateTimeOffset?>("--expires") { Description = "When vehicles stop matching it" };
        var add = new Command("add", "Add or change one entry (a new version, sent to every vehicle)") { addVrm, list, reason, markers, expires };
        add.SetAction(run(async (api, output, parse, ct) =>
        {
            var entry = new { vrm = parse.GetValue(addVrm), list = parse.GetValue(list), reason = parse.GetValue(reason), markers = parse.GetValue(markers) ?? [], expiresAt = parse.GetValue(expires) };
            output.Fields(await api.PostAsync("/api/anpr/hotlist", new { upserts = new[] { entry } }, ct).ConfigureAwait(false), "version", "upserts", "removals", "entries");
            return ExitCodes.Ok;
        }));

        var removeVrms = new Argument<string[]>("vrm") { Description = "VRMs to remove", Arity = ArgumentArity.OneOrMore };
        var remove = new Command("remove", "Remove entries (a new version)") { removeVrms };
        remove.SetAction(run(async (api, output, parse, ct) =>
        {
            output.Fields(await api.PostAsync("/api/anpr/hotlist", new { removals = parse.GetValue(removeVrms) }, ct).ConfigureAwait(false), "version", "upserts", "removals", "entries");
            return ExitCodes.Ok;
        }));

        var file = new Argument<FileInfo>("file") { Description = "CSV with the header vrm,list,reason,markers (markers separated by ';')" };
        var import = new Command("import", "Add or change every entry of a CSV file in one version") { file };
        import.SetAction(run(async (api, output, parse, ct) =>
        {
            var path = parse.GetValue(file)!;
            if (!path.Exists)
            {
                throw new FleetCtlException(ExitCodes.Usage, $"{path.FullName}: no such file");
            }

            var lines = await File.ReadAllLinesAsync(path.FullName, ct).ConfigureAwait(false);
            if (lines.Length == 0 || !string.Equals(lines[0].TrimStart('\uFEFF').Trim(), "vrm,list,reason,markers", StringComparison.OrdinalIgnoreCase))
            {
                throw new FleetCtlException(ExitCodes.Usage, $"{path.FullName}: the header must be 'vrm,list,reason,markers'");
            }

            var entries = new List<object>();
            for (var i = 1; i < lines.Length; i++)
            {
                if (lines[i].Length == 0)
                {
                    continue;
                }

                var fields = lines[i].Split(',');
                if (fields.Length != 4)
                {
                    throw new FleetCtlException(ExitCodes.Usage, $"{path.FullName}:{i + 1}: {fields.Length} fields, expected 4 (no commas inside fields)");
                }

                entries.Add(new { vrm = fields[0].Trim(), list = fields[1].Trim(), reason = fields[2].Trim(), markers = fields[3].Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) });
            }

            output.Fields(await api.PostAsync("/api/anpr/hotlist", new { upserts = entries }, ct).ConfigureAwait(false), "version", "upserts", "removals", "entries");
            return ExitCodes.Ok;
        }));

        hotlist.Subcommands.Add(show);
        hotlist.Subcommands.Add(add);
        hotlist.Subcommands.Add(remove);
        hotlist.Subcommands.Add(import);
        anpr.Subcommands.Add(reads);
        anpr.Subcommands.Add(hotlist);
        return anpr;
    }
}
