using System.ComponentModel.DataAnnotations;

namespace FleetControl.Diagnostics;

/// <summary>Diagnostics bundles uploaded by gateways (configuration section <c>Diagnostics</c>).</summary>
public sealed class DiagnosticsOptions
{
    /// <summary>Configuration section name.</summary>
    public const string SectionName = "Diagnostics";

    /// <summary>Largest bundle accepted; a larger upload is refused (RESOURCE_EXHAUSTED) before anything is stored.</summary>
    [Range(1024, 1024L * 1024 * 1024, ErrorMessage = "Diagnostics:MaxBundleBytes must be between 1 KiB and 1 GiB.")]
    public long MaxBundleBytes { get; set; } = 16 * 1024 * 1024;

    /// <summary>
    /// Where bundles are kept; default <c>{FleetControl:DataDirectory}/diagnostics</c>. With several instances
    /// point every instance at the same shared directory (beside the evidence vault), so a bundle uploaded
    /// through one instance is listed and downloaded through any other.
    /// </summary>
    public string? Directory { get; set; }

    /// <summary>Bundles kept per device; the oldest beyond it are deleted when a new one is stored.</summary>
    [Range(1, 10_000, ErrorMessage = "Diagnostics:KeepPerDevice must be 1-10000.")]
    public int KeepPerDevice { get; set; } = 20;
}
