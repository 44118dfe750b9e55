using EdgeGateway.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EdgeGateway.Time;

/// <summary>Registers the clock-step journal and its monitor (custody logs of open evidence record the steps).</summary>
internal static class ClockRegistration
{
    public static IServiceCollection AddClockWatch(this IServiceCollection services)
    {
        services.AddOptions<ClockOptions>()
            .BindConfiguration(ClockOptions.SectionName)
            .ValidateAnnotations()
            .ValidateOnStart();
        services.AddSingleton(sp => new ClockStepJournal(
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<IOptions<ClockOptions>>().Value.StepTolerance,
            sp.GetService<IClockStatus>(),
            sp.GetRequiredService<ILoggerFactory>().CreateLogger<ClockStepJournal>()));
        services.AddHostedService<ClockStepMonitor>();
        return services;
    }
}
