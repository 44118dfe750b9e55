using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using EdgeGateway.Contracts;
using EdgeGateway.Contracts.Evidence;
using EdgeGateway.Devices.Anpr;
using EdgeGateway.Devices.Bwv;
using EdgeGateway.Devices.InCarVideo.Recording;
using EdgeGateway.Evidence;
using EdgeGateway.Updates;

namespace EdgeGateway.Hosting;

/// <summary>
/// Source-generated JSON metadata of every type the gateway reads or writes as JSON (its files, the ANPR stream),
/// so nothing serializes by runtime reflection: a NativeAOT publish (which has no reflection-based JSON) runs the
/// code the tests run. Shapes without a type of their own (HTTP answers, status documents) are built as
/// <see cref="System.Text.Json.Nodes.JsonObject"/>s instead of anonymous types.
/// </summary>
[JsonSerializable(typeof(Incident))]
[JsonSerializable(typeof(CameraMarker))]
[JsonSerializable(typeof(RecordingSidecar))]
[JsonSerializable(typeof(UpdateState))]
[JsonSerializable(typeof(ReleaseManifest))]
[JsonSerializable(typeof(CopyProgress))]
[JsonSerializable(typeof(CustodyLink))]
[JsonSerializable(typeof(AnprHitNotice))]
[JsonSerializable(typeof(JsonObject))]
internal sealed partial class GatewayJsonContext : JsonSerializerContext;

/// <summary>Options for the gateway's JSON, resolved by <see cref="GatewayJsonContext"/>.</summary>
internal static class GatewayJson
{
    /// <summary><paramref name="options"/> with the gateway's generated metadata as its resolver (returned for chaining).</summary>
    public static JsonSerializerOptions With(JsonSerializerOptions options) => ContractsJson.With(options, GatewayJsonContext.Default);
}
