using Grpc.Core;

namespace FleetControl.Identity;

/// <summary>
/// Who is calling a gRPC method, as <see cref="DeviceAuthenticationInterceptor"/> established it from the
/// client certificate. Services ask it before acting for a device; it fails closed: a call the interceptor
/// did not see is refused.
/// </summary>
internal static class DeviceCaller
{
    private const string DeviceIdKey = "fleetcontrol.device-id";
    private const string PlaintextKey = "fleetcontrol.development-plaintext";

    /// <summary>The authenticated device id of this call, or null under the development override.</summary>
    public static string? IdOf(ServerCallContext context)
    {
        var items = context.GetHttpContext().Items;
        if (items.TryGetValue(DeviceIdKey, out var id) && id is string deviceId)
        {
            return deviceId;
        }

        return items.ContainsKey(PlaintextKey)
            ? null
            : throw new RpcException(new Status(StatusCode.Unauthenticated, "the caller is not authenticated"));
    }

    /// <summary>Throws PermissionDenied unless the caller is <paramref name="deviceId"/> (or the development override is on).</summary>
    public static void EnsureIs(ServerCallContext context, string deviceId, string what)
    {
        var caller = IdOf(context);
        if (caller is not null && !string.Equals(caller, deviceId, StringComparison.Ordinal))
        {
            throw new RpcException(new Status(StatusCode.PermissionDenied, $"{caller} may not {what} for {deviceId}"));
        }
    }

    internal static void SetAuthenticated(HttpContext http, string deviceId) => http.Items[DeviceIdKey] = deviceId;

    internal static void SetDevelopmentPlaintext(HttpContext http) => http.Items[PlaintextKey] = true;
}
