using System.Net;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;

namespace FleetControl.Hosting;

/// <summary>
/// Validated <c>FleetControl</c> options and the two Kestrel endpoints: REST on HTTP/1.1
/// (<c>FleetControl:HttpPort</c>) and gRPC on HTTP/2 cleartext (<c>FleetControl:GrpcPort</c>).
/// </summary>
internal static class EndpointsRegistration
{
    public static IServiceCollection AddFleetControlEndpoints(this IServiceCollection services)
    {
        services.AddOptions<FleetControlOptions>()
            .BindConfiguration(FleetControlOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddSingleton<FleetEndpoints>();
        services.AddOptions<KestrelServerOptions>()
            .Configure<IOptions<FleetControlOptions>, FleetEndpoints>((kestrel, options, endpoints) =>
            {
                var fleet = options.Value;
                var address = IPAddress.Parse(fleet.BindAddress);
                kestrel.Listen(address, fleet.HttpPort, listen =>
                {
                    listen.Protocols = HttpProtocols.Http1;
                    endpoints.Rest = listen;
                });
                kestrel.Listen(address, fleet.GrpcPort, listen =>
                {
                    listen.Protocols = HttpProtocols.Http2;
                    endpoints.Grpc = listen;
                });
            });
        services.AddHostedService<StartupSummary>();
        return services;
    }
}
