using System.Text.Json;
using EdgeGateway.Hosting;

namespace EdgeGateway.Devices.Bwv;

/// <summary>JSON conventions of the camera's files (camelCase, as the cameras write them).</summary>
internal static class BwvJson
{
    public static readonly JsonSerializerOptions Options = GatewayJson.With(new(JsonSerializerDefaults.Web));
}
