using EdgeGateway.Hosting;
using System.Text.Json;

namespace EdgeGateway.Devices.Anpr;

/// <summary>JSON settings of the in-car stream and the engineer commands (camelCase, compact).</summary>
internal static class AnprJson
{
    public static JsonSerializerOptions Options { get; } = GatewayJson.With(new(JsonSerializerDefaults.Web));
}
