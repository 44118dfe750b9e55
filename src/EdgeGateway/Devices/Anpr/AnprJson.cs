using System.Text.Json;
using EdgeGateway.Hosting;

namespace EdgeGateway.Devices.Anpr;

/// <summary>JSON settings of the in-car stream and the engineer commands (camelCase, compact).</summary>
internal static class AnprJson
{
    public static JsonSerializerOptions Options { get; } = GatewayJson.With(new(JsonSerializerDefaults.Web));
}
