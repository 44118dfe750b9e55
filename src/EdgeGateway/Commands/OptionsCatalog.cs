using EdgeGateway.Devices.Bwv;
using EdgeGateway.Devices.Gnss;
using EdgeGateway.Evidence;
using EdgeGateway.Health;
using EdgeGateway.Hosting;
using EdgeGateway.Outbox;
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
    private static readonly Func<IConfiguration, IServiceProvider, IEnumerable<string>>[] Checks =
    [
        Check<GatewayOptions>(GatewayOptions.SectionName),
        Check<OutboxOptions>(OutboxOptions.SectionName),
        Check<MqttUplinkOptions>(MqttUplinkOptions.SectionName),
        Check<RegistrationOptions>(RegistrationOptions.SectionName),
        Check<HealthOptions>(HealthOptions.SectionName),
        Check<GnssOptions>(GnssOptions.SectionName),
        Check<DockOptions>(DockOptions.SectionName),
        Check<EvidenceOptions>(EvidenceOptions.SectionName),
    ];

    /// <summary>Every failure message of every registered validator, or none.</summary>
    public static IReadOnlyList<string> Validate(IConfiguration candidate, IServiceProvider services) =>
        Checks.SelectMany(check => check(candidate, services)).ToList();

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
