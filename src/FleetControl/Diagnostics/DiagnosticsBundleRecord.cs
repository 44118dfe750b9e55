namespace FleetControl.Diagnostics;

/// <summary>A stored diagnostics bundle: the sidecar <c>{id}.json</c> beside <c>{id}.zip</c>.</summary>
/// <param name="BundleId">The collect-diagnostics command id that asked for it.</param>
/// <param name="DeviceId">The gateway that uploaded it.</param>
/// <param name="Format">File format (<c>zip</c>).</param>
/// <param name="Size">Bytes stored.</param>
/// <param name="Sha256">Lowercase hex SHA-256 of the stored bytes (checked against the gateway's).</param>
/// <param name="CollectedAt">When the gateway collected it.</param>
/// <param name="StoredAt">When FleetControl stored it.</param>
internal sealed record DiagnosticsBundleRecord(
    string BundleId,
    string DeviceId,
    string Format,
    long Size,
    string Sha256,
    DateTimeOffset? CollectedAt,
    DateTimeOffset StoredAt)
{
    /// <summary>Where the REST API serves the file.</summary>
    public string Download => $"/api/devices/{Uri.EscapeDataString(DeviceId)}/diagnostics/{Uri.EscapeDataString(BundleId)}";
}
