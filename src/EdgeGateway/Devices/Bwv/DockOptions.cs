using System.ComponentModel.DataAnnotations;

namespace EdgeGateway.Devices.Bwv;

/// <summary>The docking station's bays (configuration section <c>Dock</c>).</summary>
public sealed class DockOptions
{
    /// <summary>Configuration section name.</summary>
    public const string SectionName = "Dock";

    /// <summary>Where docked cameras appear as mounted volumes, one directory per bay (<c>bay-01</c> ..).</summary>
    [Required(ErrorMessage = "Dock:BaysRoot is required for the dock role.")]
    public string BaysRoot { get; set; } = string.Empty;

    /// <summary>Number of bays.</summary>
    [Range(1, 64, ErrorMessage = "Dock:Bays must be between 1 and 64.")]
    public int Bays { get; set; } = 8;

    /// <summary>How often the bays are scanned for docked cameras and recordings.</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "00:10:00", ErrorMessage = "Dock:ScanInterval must be between 50 ms and 10 minutes.")]
    public TimeSpan ScanInterval { get; set; } = TimeSpan.FromSeconds(1);
}
