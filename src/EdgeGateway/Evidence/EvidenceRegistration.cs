using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace EdgeGateway.Evidence;

/// <summary>Registers BWV dock bays and the evidence offload pipeline (dock role).</summary>
internal static class EvidenceRegistration
{
    public static IServiceCollection AddEvidenceOffload(this IServiceCollection services, IConfiguration configuration)
    {
        // TODO(evidence)
        return services;
    }
}
