using EdgeGateway.Contracts.V1;

namespace EdgeGateway.Core;

/// <summary>
/// Anything with health worth reporting (an adapter's reject counts, the outbox's depths) adds it to
/// the periodic <see cref="HealthReport"/> here. Called from the health reporter's loop; must be cheap
/// and must not block.
/// </summary>
internal interface IHealthContributor
{
    void Contribute(HealthReport report);
}
