using EdgeGateway.Devices.Bwv;
using EdgeGateway.Devices.Gnss;
using EdgeGateway.Evidence;
using EdgeGateway.Health;
using EdgeGateway.Hosting;
using EdgeGateway.Outbox;
using EdgeGateway.Retention;
using EdgeGateway.Uplink.Grpc;
using EdgeGateway.Uplink.Mqtt;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace EdgeGateway.Commands;

/// <summary>
/// Every options class the gateway validates at start-up, so a candidate configuration can be checked by
/// the same validators before it is written. A new options class is one line here.
/// </summary>
internal static class OptionsCatalog
{
    private static readonly (string Section, Func<IServiceProvider, bool> Used, Func<IConfiguration, IServiceProvider, IEnumerable<string>> Check)[] Checks =
    [
        Entry<GatewayOptions>(GatewayOptions.SectionName, static (section, options) => section.Bind(options)),
        Entry<OutboxOptions>(OutboxOptions.SectionName, static (section, options) => section.Bind(options)),
        Entry<MqttUplinkOptions>(MqttUplinkOptions.SectionName, static (section, options) => section.Bind(options)),
        Entry<RegistrationOptions>(RegistrationOptions.SectionName, static (section, options) => section.Bind(options)),
        Entry<HealthOptions>(HealthOptions.SectionName, static (section, options) => section.Bind(options)),
        Entry<GnssOptions>(GnssOptions.SectionName, static (section, options) => section.Bind(options)),
        Entry<DockOptions>(DockOptions.SectionName, static (section, options) => section.Bind(options)),
        Entry<EvidenceOptions>(EvidenceOptions.SectionName, static (section, options) => section.Bind(options)),
        Entry<RetentionOptions>(RetentionOptions.SectionName, static (section, options) => section.Bind(options)),
    ];

    /// <summary>Every failure message of every registered validator, or none.</summary>
    public static IReadOnlyList<string> Validate(IConfiguration candidate, IServiceProvider services) =>
        Checks.SelectMany(entry => entry.Check(candidate, services)).ToList();

    /// <summary>
    /// True when <paramref name="section"/> is a known options section this host does not run (a vehicle's
    /// <c>Dock</c>, a dock's <c>Gnss</c>): changing it needs no restart here.
    /// </summary>
    public static bool IsUnusedHere(string section, IServiceProvider services) =>
        Checks.Any(entry => string.Equals(entry.Section, section, StringComparison.OrdinalIgnoreCase) && !entry.Used(services));

    // The bind is written out per options class (not section.Bind(T) in here): the configuration binding source
    // generator binds concrete types only, and it is what binds under NativeAOT.
    private static (string, Func<IServiceProvider, bool>, Func<IConfiguration, IServiceProvider, IEnumerable<string>>) Entry<T>(string section, Action<IConfiguration, T> bind)
        where T : class, new() =>
        (section, services => services.GetServices<IValidateOptions<T>>().Any(), Check(section, bind));

    private static Func<IConfiguration, IServiceProvider, IEnumerable<string>> Check<T>(string section, Action<IConfiguration, T> bind)
        where T : class, new() =>
        (candidate, services) =>
        {
            // Only the options this host registered validators for (a dock has no Gnss validators).
            var validators = services.GetServices<IValidateOptions<T>>().ToList();
            if (validators.Count == 0)
            {
                return [];
            }

            var options = new T();
            try
            {
                bind(candidate.GetSection(section), options);
            }
            catch (InvalidOperationException ex)
            {
                return [$"{section}: {ex.Message}"];
            }

            return validators
                .Select(v => v.Validate(Options.DefaultName, options))
                .Where(r => r.Failed)
                .SelectMany(r => r.Failures ?? [r.FailureMessage ?? $"{section} is invalid"]);
        };
}
