namespace EdgeGateway.Storage;

/// <summary>
/// Why reaching LiteDB 5.0.20's internals by reflection (<see cref="LiteDbWriterQueue"/>,
/// <see cref="LiteDbAbandonedTransactions"/>, <see cref="LiteDbCacheLimit"/>) is safe in a trimmed or NativeAOT publish.
/// </summary>
internal static class LiteDbInternals
{
    /// <summary>The justification of the trim-analysis warnings these classes suppress.</summary>
    public const string Justification =
        "A program that trims (EdgeGateway's self-contained and NativeAOT publishes) keeps LiteDB whole (TrimmerRootAssembly in "
        + "src/EdgeGateway/EdgeGateway.csproj), so every internal member named here keeps its metadata; where one is still missing, "
        + "each class falls back (checkpoint, no suppression, LiteDB's own cache growth) instead of failing. "
        + "tests/EdgeGateway.EndToEnd.Tests run the published binary with EDGEGATEWAY_TEST_GATEWAY_BINARY.";
}
