using EdgeGateway.Contracts;
using EdgeGateway.Contracts.V1;
using FleetControl.Identity;
using FleetControl.Store;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;

namespace FleetControl.Registry;

/// <summary>gRPC DeviceRegistry: a gateway calls Register at start-up; the device is recorded or refreshed.</summary>
internal sealed class DeviceRegistryService(IFleetStore store, TimeProvider time, ILogger<DeviceRegistryService> logger)
    : DeviceRegistry.DeviceRegistryBase
{
    public override async Task<RegisterResponse> Register(RegisterRequest request, ServerCallContext context)
    {
        var now = time.GetUtcNow();
        var response = new RegisterResponse { ServerTime = Timestamp.FromDateTimeOffset(now) };
        if (!Topics.IsValidDeviceId(request.DeviceId))
        {
            Log.RegistrationRefused(logger, request.DeviceId, context.Peer);
            response.Accepted = false;
            response.Reason = "device_id must be 1-64 characters of letters, digits, '.', '_' or '-'.";
            return response;
        }

        DeviceCaller.EnsureIs(context, request.DeviceId, "register");
        var role = request.Role switch
        {
            DeviceRole.Vehicle => "Vehicle",
            DeviceRole.Dock => "Dock",
            _ => string.Empty,
        };
        await store.RegisterDeviceAsync(
            new DeviceRegistration(request.DeviceId, role, request.SoftwareVersion, request.Hostname, request.Capabilities.ToList(), now),
            context.CancellationToken).ConfigureAwait(false);

        Log.Registered(logger, request.DeviceId, role, request.SoftwareVersion, request.Hostname, context.Peer);
        response.Accepted = true;
        response.TopicPrefix = Topics.DevicePrefix(request.DeviceId);
        return response;
    }
}
