using System.Globalization;
using EdgeGateway.Core;
using EdgeGateway.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EdgeGateway.Outbox.Salvage;

/// <summary>
/// <c>salvage FILE [--data DIR]</c>: an engineer's way to do by hand what the gateway does after a
/// quarantine: every intact message of a damaged outbox file goes into the gateway's outbox with its original
/// id (FleetControl drops any it already stored), the unreadable ones are counted as lost and reported. The
/// gateway must be stopped: the command takes the data directory's lock first and refuses while it is held.
/// </summary>
internal static class SalvageCommand
{
    private const string Usage = "Usage: salvage FILE [--data DIR] [--Section:Key=value ...]   (stop the gateway first)";

    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        string? file = null;
        string? dataDirectory = null;
        var overrides = new List<string>();
        for (var i = 0; i < args.Length; i++)
        {
            if (args[i] == "--data" && i + 1 < args.Length)
            {
                dataDirectory = args[++i];
            }
            else if (args[i].StartsWith("--", StringComparison.Ordinal) && args[i].Contains(':', StringComparison.Ordinal) && args[i].Contains('=', StringComparison.Ordinal))
            {
                overrides.Add(args[i]); // configuration, as on the service's command line
            }
            else if (file is null && !args[i].StartsWith("--", StringComparison.Ordinal))
            {
                file = args[i];
            }
            else
            {
                await error.WriteLineAsync($"salvage: unexpected argument '{args[i]}'. {Usage}").ConfigureAwait(false);
                return 2;
            }
        }

        if (file is null)
        {
            await error.WriteLineAsync($"salvage: no file given. {Usage}").ConfigureAwait(false);
            return 2;
        }

        if (!File.Exists(file))
        {
            await error.WriteLineAsync($"salvage: {Path.GetFullPath(file)} does not exist.").ConfigureAwait(false);
            return 1;
        }

        // The same configuration layers as the service, so the messages go into the outbox it will drain.
        var configuration = GatewayHost.ReadConfiguration([.. overrides]);
        var gateway = configuration.GetSection(GatewayOptions.SectionName).Get<GatewayOptions>() ?? new GatewayOptions();
        if (string.IsNullOrEmpty(gateway.DeviceId))
        {
            await error.WriteLineAsync("salvage: Gateway:DeviceId is not configured; run it where the gateway's configuration is, or add --Gateway:DeviceId=ID.").ConfigureAwait(false);
            return 2;
        }

        if (dataDirectory is not null)
        {
            gateway.DataDirectory = dataDirectory;
        }

        var outboxOptions = configuration.GetSection(OutboxOptions.SectionName).Get<OutboxOptions>() ?? new OutboxOptions();
        if (Path.GetFullPath(file) == Path.GetFullPath(Path.Combine(gateway.DataDirectory, outboxOptions.FileName)))
        {
            await error.WriteLineAsync("salvage: that is the live outbox file; salvage the quarantined copy (outbox.db.quarantined-*).").ConfigureAwait(false);
            return 2;
        }

        using var claim = DataDirectoryLock.TryAcquire(gateway.DataDirectory);
        if (claim is null)
        {
            await error.WriteLineAsync($"salvage: a gateway is running on {Path.GetFullPath(gateway.DataDirectory)}; stop it first (systemctl stop edgegateway).").ConfigureAwait(false);
            return GatewayProgram.ExitDataDirectoryInUse;
        }

        using var logging = LoggerFactory.Create(builder => builder.AddSimpleConsole(o => o.SingleLine = true));
        var time = TimeProvider.System;
        var security = configuration.GetSection(Security.SecurityOptions.SectionName).Get<Security.SecurityOptions>() ?? new Security.SecurityOptions();
        var protector = Storage.PayloadProtector.For(outboxOptions, gateway, new Security.FileDataKeyWrapper(Security.GatewayIdentity.DirectoryFor(security, gateway)));
        using var outbox = new LiteDbOutbox(
            Options.Create(outboxOptions), Options.Create(gateway), time, new MonotonicMessageIdGenerator(time), logging.CreateLogger<LiteDbOutbox>(), protector);
        SalvageResult result;
        try
        {
            result = outbox.Salvage(file);
        }
        catch (InvalidOperationException e)
        {
            await error.WriteLineAsync($"salvage: {e.Message}").ConfigureAwait(false);
            return 1;
        }

        var inv = CultureInfo.InvariantCulture;
        await output.WriteLineAsync(string.Create(inv, $"salvaged {Path.GetFullPath(file)} into {Path.GetFullPath(Path.Combine(gateway.DataDirectory, outboxOptions.FileName))}")).ConfigureAwait(false);
        for (var c = 0; c < OutboxClassDefaults.All.Length; c++)
        {
            if (result.Recovered[c] > 0 || result.Lost[c] > 0)
            {
                await output.WriteLineAsync(string.Create(inv, $"  {OutboxClassDefaults.All[c],-10} recovered {result.Recovered[c],8}  lost {result.Lost[c],6}")).ConfigureAwait(false);
            }
        }

        var basis = result.ExpectedFromState is { } expected
            ? string.Create(inv, $"the file said it held {expected}")
            : "the file's own count was unreadable";
        await output.WriteLineAsync(string.Create(inv, $"recovered {result.RecoveredTotal}, lost {result.LostTotal} ({basis})")).ConfigureAwait(false);
        return 0;
    }
}
