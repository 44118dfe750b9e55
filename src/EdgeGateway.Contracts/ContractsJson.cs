using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using EdgeGateway.Contracts.Evidence;
using EdgeGateway.Contracts.Updates;

namespace EdgeGateway.Contracts;

/// <summary>
/// Source-generated JSON metadata of the contract types written to files (update offers, custody entries), so they
/// serialize without runtime reflection: the same code path in tests, in a JIT build and in a NativeAOT build.
/// Naming and indentation come from the options each caller passes (<see cref="ContractsJson.With"/>).
/// </summary>
[JsonSerializable(typeof(UpdateOffer))]
[JsonSerializable(typeof(CustodyLink))]
internal sealed partial class ContractsJsonContext : JsonSerializerContext;

/// <summary>Options bound to <see cref="ContractsJsonContext"/>, and typed look-ups of their metadata.</summary>
public static class ContractsJson
{
    /// <summary>
    /// <paramref name="options"/> with the contract types' generated metadata as its resolver (returned for chaining);
    /// call before the options are first used.
    /// </summary>
    public static JsonSerializerOptions With(JsonSerializerOptions options, IJsonTypeInfoResolver? more = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.TypeInfoResolver = more is null ? ContractsJsonContext.Default : JsonTypeInfoResolver.Combine(more, ContractsJsonContext.Default);
        return options;
    }

    /// <summary>The metadata of <typeparamref name="T"/> under <paramref name="options"/> (whose resolver must know it).</summary>
    public static JsonTypeInfo<T> Info<T>(this JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return (JsonTypeInfo<T>)options.GetTypeInfo(typeof(T));
    }
}
