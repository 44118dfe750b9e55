using System.CommandLine;

namespace FleetCtl;

/// <summary>
/// <c>fleetctl update rollout start|status|halt</c>: staged OTA update rollouts. <c>start</c> sends a signed offer
/// (from <c>FleetControl update sign</c>) to a group in waves; <c>status</c> exits 0 completed, 4 halted, 5 still running.
/// </summary>
internal static class UpdateCommands
{
    public static Command Build(Func<Func<FleetClient, Output, ParseResult, CancellationToken, Task<int>>, Func<ParseResult, CancellationToken, Task<int>>> run)
    {
        var update = new Command("update", "Over-the-air updates of the gateways");
        var rollout = new Command("rollout", "Staged update rollouts: waves that advance only when every device committed");

        var offer = new Option<FileInfo>("--offer") { Description = "The signed offer file (from 'FleetControl update sign')", Required = true };
        var group = new Option<string?>("--group") { Description = "Role (Vehicle, Dock) or all" };
        var devices = new Option<string[]>("--device") { Description = "Explicit devices (repeatable)", AllowMultipleArgumentsPerToken = true };
        var waves = new Option<string[]>("--wave") { Description = "Wave sizes in order: a count (1), a percentage (10%) or rest (repeatable; default 1, 10%, rest)", AllowMultipleArgumentsPerToken = true };
        var ttl = new Option<int?>("--ttl") { Description = "Seconds each install-update command may wait for its device" };
        var waveTimeout = new Option<int?>("--wave-timeout") { Description = "Seconds a wave may take to commit before the rollout halts (default 3600)" };
        var start = new Command("start", "Roll a signed update out in waves; halts when a device rolls back, refuses it or times out") { offer, group, devices, waves, ttl, waveTimeout };
        start.SetAction(run(async (api, output, parse, ct) =>
        {
            string offerJson;
            try
            {
                offerJson = await File.ReadAllTextAsync(parse.GetValue(offer)!.FullName, ct).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw new FleetCtlException(ExitCodes.Usage, $"{parse.GetValue(offer)!.FullName}: {ex.Message}");
            }

            var result = await api.PostAsync("/api/updates/rollouts", new
            {
                offer = offerJson,
                group = parse.GetValue(group),
                devices = parse.GetValue(devices),
                waves = parse.GetValue(waves) is { Length: > 0 } w ? w : null,
                timeToLiveSeconds = parse.GetValue(ttl),
                waveTimeoutSeconds = parse.GetValue(waveTimeout),
            }, ct).ConfigureAwait(false);
            output.Fields(result, "rolloutId", "version", "group", "devices", "waves", "state");
            return ExitCodes.Ok;
        }));

        var statusId = new Argument<string>("rollout-id") { Description = "Rollout id (from update rollout start)" };
        var status = new Command("status", "Where an update rollout stands (exit 0 completed, 4 halted, 5 still running)") { statusId };
        status.SetAction(run(async (api, output, parse, ct) =>
        {
            var result = await api.GetAsync($"/api/updates/rollouts/{Uri.EscapeDataString(parse.GetValue(statusId)!)}", ct).ConfigureAwait(false);
            return Print(output, result);
        }));

        var haltId = new Argument<string>("rollout-id") { Description = "Rollout id (from update rollout start)" };
        var reason = new Option<string?>("--reason") { Description = "Why (kept as the rollout's reason)" };
        var halt = new Command("halt", "Halt a running update rollout: no further wave is sent") { haltId, reason };
        halt.SetAction(run(async (api, output, parse, ct) =>
        {
            var result = await api.PostAsync($"/api/updates/rollouts/{Uri.EscapeDataString(parse.GetValue(haltId)!)}/halt", new { reason = parse.GetValue(reason) }, ct).ConfigureAwait(false);
            return Print(output, result);
        }));

        rollout.Subcommands.Add(start);
        rollout.Subcommands.Add(status);
        rollout.Subcommands.Add(halt);
        update.Subcommands.Add(rollout);
        return update;
    }

    private static int Print(Output output, System.Text.Json.JsonElement result)
    {
        output.Fields(result, "rolloutId", "version", "group", "waves", "stage", "state", "reason", "deviceStates");
        return result.GetProperty("state").GetString() switch
        {
            "completed" => ExitCodes.Ok,
            "halted" => ExitCodes.CommandFailed,
            _ => ExitCodes.Timeout,
        };
    }
}
