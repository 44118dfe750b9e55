using EdgeGateway.Contracts.V1;

namespace FleetControl.Commands;

/// <summary>Publishes a command to its device (QoS 1).</summary>
internal interface ICommandPublisher
{
    /// <summary>Returns false when it could not be published (FleetControl is not connected to the broker).</summary>
    Task<bool> PublishCommandAsync(Command command, CancellationToken cancellationToken);
}
