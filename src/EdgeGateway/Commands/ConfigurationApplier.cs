using System.Text.Json;
using System.Text.Json.Nodes;
using EdgeGateway.Health;
using EdgeGateway.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EdgeGateway.Commands;

/// <summary>
/// Applies a desired configuration from FleetControl. The new layer (<c>{DataDirectory}/desired-config.json</c>)
/// is checked on top of the running configuration with the very validators the host runs at start-up (every
/// <see cref="IValidateOptions{TOptions}"/> registered for each options class: data annotations and the
/// hand-written ones). A rejected configuration writes nothing, so the running one stays (the roll-back), and
/// the reason is reported. An accepted one is written atomically; sections read live (<see cref="HotSections"/>)
/// take effect on reload, any other section needs a clean restart. Only this one file is written: buffered
/// data (outbox, evidence staging) is never touched.
/// </summary>
internal sealed class ConfigurationApplier(IConfiguration configuration, IServiceProvider services, IOptions<GatewayOptions> gateway, ILogger<ConfigurationApplier> logger)
{
    /// <summary>The file layered into the host's configuration, inside the data directory.</summary>
    public const string FileName = "desired-config.json";

    /// <summary>Where the version lives inside the file.</summary>
    public const string VersionKey = "FleetConfiguration:Version";

    /// <summary>Sections whose options are read through IOptionsMonitor, so a reload applies them.</summary>
    public static readonly IReadOnlySet<string> HotSections = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { "Logging" };

    /// <summary>Sections a desired configuration may not set: identity and where buffered data lives.</summary>
    public static readonly IReadOnlySet<string> ProtectedKeys = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
    {
        $"{GatewayOptions.SectionName}:{nameof(GatewayOptions.DeviceId)}",
        $"{GatewayOptions.SectionName}:{nameof(GatewayOptions.Role)}",
        $"{GatewayOptions.SectionName}:{nameof(GatewayOptions.DataDirectory)}",
    };

    public string FilePath => Path.Combine(Path.GetFullPath(gateway.Value.DataDirectory), FileName);

    /// <summary>The version in effect (0 when FleetControl never set one).</summary>
    public long CurrentVersion => Math.Max(configuration.GetValue<long?>(VersionKey) ?? 0, ReadVersionFromFile());

    /// <summary>
    /// Adds the desired-configuration layer to a host's configuration (above files, below environment and command line
    /// is the caller's order). The file is watched through a provider rooted at the data directory itself: a file
    /// provider's watcher is recursive, and when the directory did not exist yet the configuration system rooted it at
    /// the nearest existing parent instead, so every write anywhere below that parent (logs, a simulator's output, other
    /// programs' files) woke the gateway's file-watch thread for as long as it ran. Without <paramref name="watch"/> (a
    /// command that only reads the configuration) the file is read once and nothing is created.
    /// </summary>
    public static IConfigurationBuilder AddDesiredConfiguration(IConfigurationBuilder builder, string dataDirectory, bool watch = true)
    {
        var directory = Path.GetFullPath(dataDirectory);
        if (!watch)
        {
            return builder.AddJsonFile(Path.Combine(directory, FileName), optional: true, reloadOnChange: false);
        }

        try
        {
            Directory.CreateDirectory(directory);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Not creatable here (read-only tree, a command run elsewhere): keep the previous behaviour.
            return builder.AddJsonFile(Path.Combine(directory, FileName), optional: true, reloadOnChange: true);
        }

        return builder.AddJsonFile(new PhysicalFileProvider(directory), FileName, optional: true, reloadOnChange: true);
    }

    /// <summary>Validates and, when valid, writes version <paramref name="version"/>. Returns the outcome.</summary>
    public async Task<ConfigurationApplyResult> ApplyAsync(long version, string json, CancellationToken cancellationToken)
    {
        if (version <= CurrentVersion)
        {
            return Reject(version, $"version {version} is not newer than the running version {CurrentVersion}");
        }

        JsonObject root;
        try
        {
            root = JsonNode.Parse(json) as JsonObject ?? throw new JsonException("not a JSON object");
        }
        catch (JsonException ex)
        {
            return Reject(version, "not a JSON object: " + ex.Message);
        }

        var candidate = new ConfigurationBuilder()
            .AddConfiguration(configuration)
            .AddJsonStream(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(json)))
            .Build();
        var layer = new ConfigurationBuilder().AddJsonStream(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(json))).Build();
        var keys = layer.AsEnumerable().Where(kv => kv.Value is not null).Select(kv => kv.Key).ToList();
        var forbidden = keys.Where(ProtectedKeys.Contains).ToList();
        if (forbidden.Count > 0)
        {
            return Reject(version, "may not be changed remotely: " + string.Join(", ", forbidden));
        }

        var failures = OptionsCatalog.Validate(candidate, services);
        if (failures.Count > 0)
        {
            return Reject(version, string.Join("; ", failures));
        }

        root["FleetConfiguration"] = new JsonObject { ["Version"] = version };
        await HealthFile.WriteAtomicallyAsync(FilePath, root.ToJsonString(new JsonSerializerOptions { WriteIndented = true }), cancellationToken).ConfigureAwait(false);
        // A restart is needed for a changed section read only at start-up, unless this host does not run it.
        var restart = keys.Select(k => k.Split(':')[0]).Distinct(StringComparer.OrdinalIgnoreCase)
            .Any(section => !HotSections.Contains(section) && !OptionsCatalog.IsUnusedHere(section, services));
        Log.ConfigurationApplied(logger, version, FilePath, restart);
        return new ConfigurationApplyResult(true, string.Empty, restart, version);
    }

    private ConfigurationApplyResult Reject(long version, string reason)
    {
        Log.ConfigurationRejected(logger, version, reason);
        return new ConfigurationApplyResult(false, reason, false, CurrentVersion);
    }

    private long ReadVersionFromFile()
    {
        if (!File.Exists(FilePath))
        {
            return 0;
        }

        var layer = new ConfigurationBuilder().AddJsonFile(FilePath, optional: true).Build();
        return layer.GetValue<long?>(VersionKey) ?? 0;
    }
}
