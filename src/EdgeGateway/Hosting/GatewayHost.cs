using EdgeGateway.Commands;
using EdgeGateway.Devices.Anpr;
using EdgeGateway.Devices.Gnss;
using EdgeGateway.Devices.Radio;
using EdgeGateway.Devices.InCarVideo;
using EdgeGateway.Evidence;
using EdgeGateway.Health;
using EdgeGateway.Health.Metrics;
using EdgeGateway.Hosting.MemoryTrim;
using EdgeGateway.Hosting.Watchdog;
using EdgeGateway.Outbox;
using EdgeGateway.Uplink.Grpc;
using EdgeGateway.Time;
using EdgeGateway.Uplink.Mqtt;
using EdgeGateway.Updates;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Configuration.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace EdgeGateway.Hosting;

/// <summary>Builds the gateway host: shared services for every role, then the role's adapters.</summary>
internal static class GatewayHost
{
    public static HostApplicationBuilder CreateBuilder(string[] args)
    {
        var builder = CreateConfiguredBuilder(args, forService: true);
        LimitDatabaseCaches(builder.Configuration);

        builder.Services.AddSystemd();
        // Under systemd the console speaks journald's syslog format, unless the site asks for another
        // (Logging:Console:FormatterName=json keeps every field of a log line for journalctl -o cat | jq).
        builder.Services.Configure<Microsoft.Extensions.Logging.Console.ConsoleLoggerOptions>(builder.Configuration.GetSection("Logging:Console"));
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddOptions<GatewayOptions>()
            .BindConfiguration(GatewayOptions.SectionName)
            .ValidateAnnotations()
            .ValidateOnStart();

        // devices -> core -> outbox -> uplinks (DESIGN.md "The flow").
        builder.Services.AddOutbox(builder.Configuration);
        builder.Services.AddMqttUplink(builder.Configuration);
        builder.Services.AddRadio(builder.Configuration);
        builder.Services.AddDeviceRegistration(builder.Configuration);
        builder.Services.AddGatewayHealth(builder.Configuration);
        builder.Services.AddSystemdWatchdog();
        builder.Services.AddGatewayMetrics();
        builder.Services.AddGatewayUpdates();
        builder.Services.AddClockWatch();
        builder.Services.AddMemoryTrim();
        builder.Services.AddGatewayCommands(RoleOf(builder.Configuration));

        switch (RoleOf(builder.Configuration))
        {
            case GatewayRole.Vehicle:
                builder.Services.AddGnss(builder.Configuration);
                builder.Services.AddAnpr(builder.Configuration);
                builder.Services.AddInCarVideo(builder.Configuration);
                break;
            case GatewayRole.Dock:
                builder.Services.AddEvidenceOffload(builder.Configuration);
                break;
        }

        return builder;
    }

    /// <summary>
    /// Bounds LiteDB's page cache of every database opened from here on (process-wide, so before any opens):
    /// <see cref="GatewayOptions.DatabaseCacheSegmentPages"/>. Unbounded, a database committing once a second holds
    /// 13 MiB of cache within minutes (figures: "Resident set of a vehicle gateway" in benchmarks/README.md).
    /// </summary>
    internal static void LimitDatabaseCaches(IConfiguration configuration)
    {
        if (EdgeGateway.Storage.LiteDbCacheLimit.Apply(DatabaseCacheSegmentPagesOf(configuration)) is { } why)
        {
            // No logger exists yet; LiteDB is pinned (5.0.20) and a test checks the limit applies, so this is a guard.
            Console.Error.WriteLine("warning: " + why);
        }
    }

    /// <summary><c>Gateway:DatabaseCacheSegmentPages</c>, or its default when unset or out of range (options validation then refuses the value).</summary>
    internal static int DatabaseCacheSegmentPagesOf(IConfiguration configuration) =>
        int.TryParse(configuration[$"{GatewayOptions.SectionName}:{nameof(GatewayOptions.DatabaseCacheSegmentPages)}"], System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var pages)
            && pages is >= 0 and <= 100_000
            ? pages
            : GatewayOptions.DefaultDatabaseCacheSegmentPages;

    internal static GatewayRole RoleOf(IConfiguration configuration)
    {
        var text = configuration[$"{GatewayOptions.SectionName}:{nameof(GatewayOptions.Role)}"];
        if (string.IsNullOrEmpty(text))
        {
            return GatewayRole.Vehicle;
        }

        return Enum.TryParse<GatewayRole>(text, ignoreCase: true, out var role) && Enum.IsDefined(role)
            ? role
            : throw new OptionsValidationException(
                "Gateway:Role",
                typeof(GatewayOptions),
                [$"Gateway:Role '{text}' is not a role; use one of: {string.Join(", ", Enum.GetNames<GatewayRole>())}."]);
    }

    /// <summary>Environment variable naming the site configuration folder (default <see cref="DefaultSiteConfigDirectory"/>).</summary>
    public const string SiteConfigDirectoryVariable = "EDGEGATEWAY_CONFIG_DIR";

    /// <summary>Where an installer puts this machine's settings (device id, broker, serial ports).</summary>
    public const string DefaultSiteConfigDirectory = "/etc/edgegateway";

    /// <summary>
    /// The service's configuration, in the service's layers, for a command that only reads it (<c>health</c>,
    /// <c>salvage</c>): no services are registered, and the data directory is neither created nor watched.
    /// </summary>
    public static IConfiguration ReadConfiguration(string[] args) => CreateConfiguredBuilder(args, forService: false).Configuration;

    private static HostApplicationBuilder CreateConfiguredBuilder(string[] args, bool forService)
    {
        // Content root = the binary's folder, so appsettings.{role}.json is found whatever the working directory.
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = args, ContentRootPath = AppContext.BaseDirectory });
        AddConfigurationFiles(builder, forService);
        return builder;
    }

    /// <summary>
    /// Layers the configuration files, lowest first: the shipped <c>appsettings.json</c> and
    /// <c>appsettings.{role}.json</c> (beside the binary), then the site's <c>appsettings.json</c> and
    /// <c>appsettings.{role}.json</c> (in <see cref="SiteConfigDirectoryVariable"/> or
    /// <see cref="DefaultSiteConfigDirectory"/>), then environment variables and the command line. The role
    /// itself may come from the site file, so it is read once the site's <c>appsettings.json</c> is in. FleetControl's
    /// desired configuration (in the data directory) goes above the files, watched only <paramref name="forService"/>.
    /// </summary>
    private static void AddConfigurationFiles(HostApplicationBuilder builder, bool forService)
    {
        var siteDirectory = Environment.GetEnvironmentVariable(SiteConfigDirectoryVariable) is { Length: > 0 } configured
            ? Path.GetFullPath(configured)
            : DefaultSiteConfigDirectory;
        var site = Directory.Exists(siteDirectory) ? new PhysicalFileProvider(siteDirectory) : null;
        var sources = builder.Configuration.Sources;
        var at = LastJsonSource(sources) + 1;
        if (site is not null)
        {
            sources.Insert(at, Json(site, "appsettings.json"));
        }

        // ConfigurationManager rebuilds itself when its source list changes, so the role now sees the site file.
        var role = RoleOf(builder.Configuration).ToString().ToLowerInvariant();
        sources.Insert(at, new JsonConfigurationSource { Path = $"appsettings.{role}.json", Optional = true });
        if (site is not null)
        {
            sources.Insert(at + 2, Json(site, $"appsettings.{role}.json"));
        }

        // FleetControl's desired configuration: above every file, below environment variables and the command line.
        var dataDirectory = builder.Configuration[$"{GatewayOptions.SectionName}:{nameof(GatewayOptions.DataDirectory)}"] ?? new GatewayOptions().DataDirectory;
        var desiredAt = LastJsonSource(sources) + 1;
        ConfigurationApplier.AddDesiredConfiguration(builder.Configuration, dataDirectory, watch: forService);
        var desired = sources[^1];
        sources.RemoveAt(sources.Count - 1);
        sources.Insert(desiredAt, desired);
    }

    private static int LastJsonSource(IList<IConfigurationSource> sources)
    {
        var last = -1;
        for (var i = 0; i < sources.Count; i++)
        {
            if (sources[i] is JsonConfigurationSource)
            {
                last = i;
            }
        }

        return last;
    }

    /// <summary>An optional JSON file of the site folder, read through its own file provider (not the content root).</summary>
    private static JsonConfigurationSource Json(PhysicalFileProvider folder, string name) =>
        new() { FileProvider = folder, Path = name, Optional = true };
}
