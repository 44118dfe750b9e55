using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace EdgeGateway.Outbox;

/// <summary>Registers the durable outbox and the <see cref="Core.IObservationSink"/> in front of it.</summary>
internal static class OutboxRegistration
{
    public static IServiceCollection AddOutbox(this IServiceCollection services, IConfiguration configuration)
    {
        // TODO(outbox)
        return services;
    }
}
