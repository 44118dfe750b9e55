using EdgeGateway.Core;
using EdgeGateway.Evidence;
using EdgeGateway.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace EdgeGateway.Devices.InCarVideo.Recording;

/// <summary>Registers in-car video recording (vehicle role, <c>Video:Enabled</c>).</summary>
internal static class VideoRecordingRegistration
{
    /// <summary>
    /// The recorder (rings, incidents) and the part of the dock's evidence path a vehicle needs: staging with custody
    /// logs and the resumable gRPC uploader. Nothing of it is registered unless <c>Video:Enabled</c> is true.
    /// </summary>
    public static IServiceCollection AddVideoRecording(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<VideoOptions>()
            .BindConfiguration(VideoOptions.SectionName)
            .ValidateAnnotations()
            .ValidateOnStart();
        if (!configuration.GetSection(VideoOptions.SectionName).GetValue<bool>(nameof(VideoOptions.Enabled)))
        {
            return services;
        }

        services.AddEvidenceUpload();
        services.TryAddSingleton<VideoCounters>();
        services.AddSingleton<IHealthContributor>(sp => sp.GetRequiredService<VideoCounters>());
        services.TryAddSingleton<ClipFinisher>();
        services.TryAddSingleton<Bearers.DepotDetector>();
        services.AddHostedService(sp => sp.GetRequiredService<Bearers.DepotDetector>());
        services.TryAddSingleton<Bearers.ClipBearerPolicy>();
        services.TryAddSingleton<VideoRecorder>();
        services.AddSingleton<ITriggerListener>(sp => sp.GetRequiredService<VideoRecorder>());
        services.AddHostedService(sp => sp.GetRequiredService<VideoRecorder>());
        return services;
    }
}
