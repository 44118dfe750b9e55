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
        Entry<GatewayOptions>(GatewayOptions.SectionName),
        Entry<OutboxOptions>(OutboxOptions.SectionName),
        Entry<MqttUplinkOptions>(MqttUplinkOptions.SectionName),
        Entry<RegistrationOptions>(RegistrationOptions.SectionName),
        Entry<HealthOptions>(HealthOptions.SectionName),
        Entry<GnssOptions>(GnssOptions.SectionName),
        Entry<DockOptions>(DockOptions.SectionName),
        Entry<EvidenceOptions>(EvidenceOptions.SectionName),
        Entry<RetentionOptions>(RetentionOptions.SectionName),
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

    private static (string, Func<IServiceProvider, bool>, Func<IConfiguration, IServiceProvider, IEnumerable<string>>) Entry<T>(string section)
        where T : class, new() =>
        (section, services => services.GetServices<IValidateOptions<T>>().Any(), Check<T>(section));

    private static Func<IConfiguration, IServiceProvider, IEnumerable<string>> Check<T>(string section)
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
                candidate.GetSection(section).Bind(options);
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
